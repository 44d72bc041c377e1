// Redaction of secrets: known secret values and credential shapes (`Bearer …`, HubSpot `pat-…`
// tokens) become [REDACTED]. The client runs everything an error carries (message, parsed body,
// cause) through it; the gateway its logs, spans and GraphQL errors. It depends on nothing.

export const REDACTED = '[REDACTED]';

/** Shapes of credentials worth hiding even when we do not know the exact value. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bpat-[a-z]{2}\d-[0-9a-f-]{8,}/gi,
];

/**
 * The shortest secret worth configuring. `redactString` hides every secret it is given, whatever
 * its length, so a one- or two-character "secret" would shred every message it passes through:
 * where secrets are configured (the HubSpot client's token), shorter ones are refused with
 * {@link checkSecretLength} instead. Real HubSpot tokens are dozens of characters.
 */
export const MIN_SECRET_LENGTH = 6;

/** Throws a RangeError naming `what` (never the value) when `secret` is under MIN_SECRET_LENGTH. */
export function checkSecretLength(secret: string, what: string): void {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new RangeError(
      `${what} is ${secret.length} characters long; at least ${MIN_SECRET_LENGTH} are required, ` +
        'as a shorter one could not be redacted from messages without shredding them',
    );
}

/**
 * Every occurrence of each secret (any length but empty; longest first, so a secret that
 * contains another is hidden whole) and of each credential shape becomes `[REDACTED]`.
 */
export function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  const ordered = secrets.length > 1 ? [...secrets].sort((a, b) => b.length - a.length) : secrets;
  for (const secret of ordered) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_PATTERNS)
    out = out.replace(pattern, (m) =>
      m.toLowerCase().startsWith('bearer') ? `Bearer ${REDACTED}` : REDACTED,
    );
  return out;
}

/** Deep copy of a JSON-like value with every string (keys too) redacted. */
export function redactValue<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (depth > 32) return REDACTED as T;
  if (typeof value === 'string') return redactString(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not `out[k] =`: a `__proto__` key (JSON.parse makes it an own property)
    // must stay a key, not become the copy's prototype.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, redactString(k, secrets), {
        value: redactValue(v, secrets, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out as T;
  }
  return value;
}
