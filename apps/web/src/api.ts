// The page's only way out: GraphQL to the gateway, as JSON POSTs to /graphql and server-sent
// events from /graphql/stream. Every document is sent by its id (the SHA-256 the gateway's
// trusted-documents manifest knows it by), never as text, so production's "trusted documents
// only" accepts it. Credentials, when the host app has any, come from `getAccessToken` (see
// auth.ts); the HubSpot token stays in the gateway.
import { documentIdOf, type TypedDocumentNode } from '@campaigns/graphql';
import { createClient, type Client, type RequestParams } from 'graphql-sse';
import type { AccessTokenProvider } from './auth';

export interface GatewayOptions {
  /** The GraphQL endpoint (default `/graphql`, the page's own origin). */
  endpoint?: string;
  /** The event stream (default: the endpoint followed by `/stream`). */
  streamEndpoint?: string;
  getAccessToken?: AccessTokenProvider;
}

/** A refusal of the whole request: a GraphQL error, or an HTTP status without one. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface GraphQLResponse<Result> {
  data?: Result | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface Gateway {
  /**
   * Whether requests carry the caller's credentials (a host `getAccessToken`): the gateway then
   * reads job bodies up to MAX_JOB_BODY_BYTES, else up to MAX_BODY_BYTES.
   */
  readonly credentialed: boolean;
  request<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    signal?: AbortSignal,
  ): Promise<Result>;
  /** Events of a subscription until it completes; throws on a GraphQL error or a lost stream. */
  subscribe<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
  ): { events: AsyncIterable<Result>; stop(): void };
}

/** The caller's credentials as request headers (none when the host app gives no token). */
async function authHeaders(getAccessToken?: AccessTokenProvider): Promise<Record<string, string>> {
  const token = await getAccessToken?.();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The body `request` posts for `document` with `variables`, exactly as sent. */
export function requestBody<Variables>(
  document: TypedDocumentNode<unknown, Variables>,
  variables: Variables,
): string {
  return JSON.stringify({ documentId: documentIdOf(document), variables });
}

/** The size in bytes of `text` as sent (UTF-8), which is what the gateway's limits count. */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** What an HTTP status without a GraphQL answer means, for people. */
export function statusMessage(status: number): string {
  if (status === 413)
    return 'the gateway refused the request as too large (HTTP 413: over MAX_BODY_BYTES, or MAX_JOB_BODY_BYTES for a signed-in caller): send fewer campaigns at once';
  if (status === 502 || status === 503 || status === 504)
    return `the gateway could not be reached or dropped the request (HTTP ${status} from the proxy in front of it): it may be down, or have refused a request too large for it`;
  return `the gateway answered HTTP ${status} without a GraphQL result`;
}

/**
 * What a fetch that got no answer at all means, for people. The browser does not tell a page why
 * (a gateway down and a CORS refusal look the same), so both causes are named.
 */
export function unreachableMessage(endpoint: string): string {
  const page = typeof location === 'undefined' ? undefined : location;
  const url = page ? new URL(endpoint, page.href).href : endpoint;
  const origin = page ? ` (${page.origin})` : '';
  return `the gateway at ${url} could not be reached: it is down, or it does not allow this page's origin${origin}, which its CORS_ORIGINS must list`;
}

/** What a refused sign-in (UNAUTHENTICATED) means, for people, with the gateway's reason. */
export function signInRefusedMessage(reason: string): string {
  return `the gateway refused the sign-in: ${reason}. Sign in again, or ask the host app for a new token`;
}

/** Throws the first GraphQL error (or the HTTP status) of a response. */
function check<Result>(body: GraphQLResponse<Result> | undefined, status: number): Result {
  const first = body?.errors?.[0];
  if (first) {
    const code = first.extensions?.code;
    throw new GatewayError(
      code === 'UNAUTHENTICATED' ? signInRefusedMessage(first.message) : first.message,
      typeof code === 'string' ? code : undefined,
      status,
      first.extensions,
    );
  }
  if (!body?.data) throw new GatewayError(statusMessage(status), undefined, status);
  return body.data;
}

export function createGateway(options: GatewayOptions = {}): Gateway {
  const endpoint = options.endpoint ?? '/graphql';
  const streamEndpoint = options.streamEndpoint ?? `${endpoint.replace(/\/$/, '')}/stream`;
  let sse: Client | undefined;

  return {
    credentialed: Boolean(options.getAccessToken),
    async request(document, variables, signal) {
      // Content-Type application/json makes this a request no form or simple cross-site
      // request can forge, which is what the gateway's CSRF prevention asks for.
      const credentials = await authHeaders(options.getAccessToken);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...credentials,
          },
          body: requestBody(document, variables),
          credentials: 'same-origin',
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        // An abort is the caller's; anything else is a request that got no answer it may read.
        if (signal?.aborted) throw error;
        throw new GatewayError(unreachableMessage(endpoint), 'GATEWAY_UNREACHABLE', 0);
      }
      let body: GraphQLResponse<never> | undefined;
      try {
        body = (await response.json()) as GraphQLResponse<never>;
      } catch {
        body = undefined;
      }
      return check(body, response.status);
    },

    subscribe(document, variables) {
      sse ??= createClient({
        url: streamEndpoint,
        headers: () => authHeaders(options.getAccessToken),
        // Reconnects after a deploy or a lost network; the first event is then the job as it is.
        retryAttempts: 3,
        credentials: 'same-origin',
      });
      // graphql-sse posts the request object as it is: the document goes by its id, no text.
      const request = { documentId: documentIdOf(document), variables } as unknown as RequestParams;
      const iterator = sse.iterate<Record<string, unknown>>(request);
      const events: AsyncIterable<never> = {
        async *[Symbol.asyncIterator]() {
          for await (const event of iterator) yield check(event as GraphQLResponse<never>, 200);
        },
      };
      return { events, stop: () => void iterator.return?.() };
    },
  };
}
