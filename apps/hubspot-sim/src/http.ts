// The simulator's HTTP plumbing, in one place: reading a body, writing an answer (API calls with
// HubSpot's headers, admin calls as plain JSON, a bug as a 500), and waiting in a way that ends
// when the sim closes or the client hangs up.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, type ApiAnswer } from './answers.js';

/** A request body: none, JSON, or text that is not JSON (with the parser's complaint). */
export type ParsedBody = { value: unknown } | { invalid: string } | undefined;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseBody(raw: string): ParsedBody {
  if (raw === '') return undefined;
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { invalid: (error as Error).message };
  }
}

/** An API answer as HubSpot sends it: a correlation id, JSON (or the body's own type), rate-limit headers. */
export function writeAnswer(
  res: ServerResponse,
  answer: ApiAnswer,
  rateLimitHeaders: Record<string, string>,
): void {
  if (res.destroyed) return;
  const text = typeof answer.body === 'string';
  const payload =
    answer.body === undefined
      ? undefined
      : text
        ? (answer.body as string)
        : JSON.stringify(answer.body);
  const correlationId = (answer.body as { correlationId?: unknown } | undefined)?.correlationId;
  res.writeHead(answer.status, {
    'X-HubSpot-Correlation-Id': typeof correlationId === 'string' ? correlationId : randomUUID(),
    ...(payload === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
    ...rateLimitHeaders,
    ...answer.headers,
  });
  res.end(payload);
}

/** An `/__sim/*` answer: JSON, no HubSpot headers. */
export function writeAdminAnswer(res: ServerResponse, answer: ApiAnswer): void {
  res.writeHead(answer.status, {
    ...(answer.body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
    ...answer.headers,
  });
  res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
}

/** A bug in the sim answers 500 with its message, so a test sees it instead of a hang. */
export function failInternally(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const message = `hubspot-sim failed: ${error instanceof Error ? error.message : String(error)}`;
  res.writeHead(500, { 'Content-Type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(errorBody('INTERNAL_ERROR', message)));
}

/** Resolves after `ms` (never, when undefined) or as soon as `signal` aborts; never rejects. */
export function waitFor(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Aborts when the response closes: sent, or the client hung up. */
export function closed(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.closed) controller.abort();
  else res.once('close', () => controller.abort());
  return controller.signal;
}
