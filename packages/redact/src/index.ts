// Redaction of secrets: known secret values and credential shapes (`Bearer …`, HubSpot `pat-…`
// tokens) become [REDACTED]. The client runs everything an error carries (message, parsed body,
// cause) through it; the gateway its logs, spans and GraphQL errors. It depends on nothing.

export const REDACTED = '[REDACTED]';

/** Shapes of credentials worth hiding even when we do not know the exact value. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bpat-[a-z]{2}\d-[0-9a-f-]{8,}/gi,
];

export function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would shred ordinary text; real tokens are long.
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
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
