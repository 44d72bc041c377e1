// pino JSON logs. Two layers keep credentials out: `redact` censors the fields where they live
// (authorization headers, token fields), and every line is scrubbed of the secret values the
// gateway knows at that moment (HubSpot token, OAuth secrets, JWT secret) before it is written.
import { redactString } from '@campaigns/hubspot-client';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'apiKey',
  '*.authorization',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  '*.apiKey',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go. Default: stdout. */
  destination?: DestinationStream;
  /** Secret values to scrub from every line, asked for each line (they change on OAuth refresh). */
  secrets?: () => readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const secrets = options.secrets ?? (() => []);
  const scrubbing: DestinationStream = {
    write(line: string) {
      destination.write(redactString(line, secrets()));
    },
  };
  return pino(
    {
      level: options.level,
      base: { service: 'gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbing,
  );
}
