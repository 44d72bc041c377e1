// Who may call: bearer tokens configured with scopes, as a HubSpot private app or OAuth install
// would have them. A missing scope must fail here exactly as it fails at HubSpot.

export const CAMPAIGN_SCOPES = {
  read: 'marketing.campaigns.read',
  write: 'marketing.campaigns.write',
  revenueRead: 'marketing.campaigns.revenue.read',
} as const;

export const DEFAULT_SIM_TOKEN = 'sim-private-app-token';

export interface SimTokenConfig {
  token: string;
  scopes: string[];
  /** `oauth` tokens get no daily quota and no daily rate-limit headers. Default `private-app`. */
  kind?: 'private-app' | 'oauth';
}

export const DEFAULT_TOKENS: readonly SimTokenConfig[] = [
  { token: DEFAULT_SIM_TOKEN, scopes: Object.values(CAMPAIGN_SCOPES), kind: 'private-app' },
];

export type Authentication =
  { ok: true; token: SimTokenConfig } | { ok: false; reason: 'missing' | 'unknown' };

export class TokenRegistry {
  readonly #tokens: ReadonlyMap<string, SimTokenConfig>;

  constructor(tokens: readonly SimTokenConfig[]) {
    this.#tokens = new Map(tokens.map((t) => [t.token, t]));
  }

  /** Reads `Authorization: Bearer <token>` and finds the token's configuration. */
  authenticate(authorization: string | undefined): Authentication {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'missing' };
    const token = this.#tokens.get(match[1]!);
    return token ? { ok: true, token } : { ok: false, reason: 'unknown' };
  }
}

/** The required scopes the token lacks, in the order the spec lists them. */
export function missingScopes(token: SimTokenConfig, required: readonly string[]): string[] {
  return required.filter((scope) => !token.scopes.includes(scope));
}
