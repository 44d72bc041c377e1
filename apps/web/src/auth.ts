// The hook through which a host application gives the page its caller's credentials. The page has
// no sign-in of its own and never sees a HubSpot token: it sends the caller's JWT (or nothing,
// against a gateway with AUTH_MODE=none) and the gateway does the rest.

/**
 * Returns the caller's current access token (a JWT the gateway accepts), or undefined to send
 * none. Called before every request and every stream, so a token the host refreshes is picked up.
 */
export type AccessTokenProvider = () => string | undefined | Promise<string | undefined>;

/** What a host page may set on `window.campaignsEditor` before the editor's script loads. */
export interface EditorHostConfig {
  /** The gateway's GraphQL endpoint (default `/graphql` on the page's origin). */
  endpoint?: string;
  getAccessToken?: AccessTokenProvider;
}

declare global {
  interface Window {
    campaignsEditor?: EditorHostConfig;
  }
}

/** The host's configuration, if it set one. */
export function hostConfig(): EditorHostConfig {
  return typeof window === 'undefined' ? {} : (window.campaignsEditor ?? {});
}
