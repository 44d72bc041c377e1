// How one API call is judged, in a fixed order: authentication, then the rate limit, then
// (unless a fault was injected) the route, scopes, schema and the operation's business rules.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorDetail } from '@campaigns/hubspot-client';
import { missingScopes, type TokenRegistry, type SimTokenConfig } from './auth.js';
import { categoryForStatus, errorBody, rateLimitErrorBody } from './errors.js';
import type { AnswerFault, FaultAction, FaultPlan } from './faults.js';
import { OPERATION_HANDLERS, type ApiAnswer, type HandlerContext } from './handlers.js';
import type { RateLimiter, RateLimitPolicyName } from './rate-limit.js';
import { matchRoute, type RouteMatch } from './routes.js';
import type { CampaignsSpec } from './spec.js';
import type { StatsRecorder } from './stats.js';
import type { SpecValidator } from './validation.js';

export interface PipelineParts {
  spec: CampaignsSpec;
  validator: SpecValidator;
  tokens: TokenRegistry;
  /** Undefined when rate limiting is off. */
  limiter: RateLimiter | undefined;
  faults: FaultPlan;
  stats: StatsRecorder;
  handlerContext: HandlerContext;
  /** Aborted when the sim closes: waits end and nothing more is answered. */
  closing: AbortSignal;
}

type ParsedBody = { value: unknown } | { invalid: string } | undefined;

/**
 * Answers one API call. Order: count batch size → 401 → scripted fault → 429 → latency →
 * random fault → 404/405 → 403 → 415/400 (JSON, query, schema) → the operation's own rules.
 * Scripted faults use no rate budget; random ones strike calls that were already counted.
 */
export async function answerApiCall(
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
  parts: PipelineParts,
): Promise<void> {
  const { stats, faults, limiter, closing } = parts;
  const arrivedAt = Date.now();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const match = matchRoute(method, url.pathname, parts.spec.operations);
  const body = parseBody(rawBody);
  if (
    match.kind === 'operation' &&
    match.operation.path.startsWith('/batch/') &&
    body &&
    'value' in body
  ) {
    const inputs = (body.value as { inputs?: unknown } | null)?.inputs;
    if (Array.isArray(inputs)) stats.batchReceived(inputs.length);
  }
  const respond = (answer: ApiAnswer, rateLimitHeaders: Record<string, string> = {}) => {
    writeAnswer(res, answer, rateLimitHeaders);
    stats.answered(match.routeKey, answer.status);
  };

  const auth = parts.tokens.authenticate(req.headers.authorization);
  if (!auth.ok) return respond(unauthorized(auth.reason));
  const token = auth.token;
  const daily = token.kind !== 'oauth';

  const scripted = faults.takeScripted();
  if (scripted) {
    stats.faultInjected(faultLabel(scripted));
    if (scripted.kind !== 'delay') return inject(scripted, limiter?.peek(token.token, daily) ?? {});
    await waitFor(scripted.ms, closing);
    if (closing.aborted) return void res.destroy();
  }

  const decision = limiter?.admit(token.token, daily);
  if (decision && !decision.allowed) {
    stats.rateLimited(decision.policyName);
    return respond(
      tooManyRequests(decision.policyName, decision.retryAfterSeconds),
      decision.headers,
    );
  }
  const rateLimitHeaders = decision?.headers ?? {};

  const latencyMs = faults.latencyMs();
  if (latencyMs > 0) await waitFor(latencyMs, closing);
  if (closing.aborted) return void res.destroy();

  const fault = faults.rollRandom();
  if (fault) {
    stats.faultInjected(faultLabel(fault));
    return inject(fault, rateLimitHeaders);
  }
  const call: ReceivedCall = {
    match,
    token,
    url,
    contentType: req.headers['content-type'],
    body,
    arrivedAt,
  };
  return respond(handle(call, parts), rateLimitHeaders);

  async function inject(action: AnswerFault, headers: Record<string, string>): Promise<void> {
    if (action.kind === 'status') {
      if (action.status === 429) stats.rateLimited(action.policyName ?? 'TEN_SECONDLY_ROLLING');
      return respond(injectedAnswer(action), headers);
    }
    if (action.kind === 'hang') await waitFor(action.ms, AbortSignal.any([closing, closed(res)]));
    req.socket.destroy();
    stats.answered(match.routeKey, action.kind);
  }
}

interface ReceivedCall {
  match: RouteMatch;
  token: SimTokenConfig;
  url: URL;
  contentType: string | undefined;
  body: ParsedBody;
  arrivedAt: number;
}

function handle(
  { match, token, url, contentType, body, arrivedAt }: ReceivedCall,
  parts: PipelineParts,
): ApiAnswer {
  if (match.kind === 'not-found') {
    return {
      status: 404,
      body: errorBody('RESOURCE_NOT_FOUND', `No Campaigns API endpoint at ${url.pathname}`),
    };
  }
  if (match.kind === 'method-not-allowed') {
    return {
      status: 405,
      headers: { Allow: match.allowed.join(', ') },
      body: errorBody(
        'METHOD_NOT_ALLOWED',
        `${match.routeKey} is not allowed; use ${match.allowed.join(' or ')}`,
      ),
    };
  }
  const { operation } = match;
  const missing = missingScopes(token, operation.requiredScopes);
  if (missing.length > 0) return missingScopesAnswer(missing, operation.requiredScopes);

  if (
    operation.requestBody &&
    body !== undefined &&
    !/^application\/json\b/i.test(contentType ?? '')
  ) {
    return {
      status: 415,
      body: errorBody(
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body as JSON with Content-Type: application/json, not ${contentType ?? 'no content type'}`,
      ),
    };
  }
  if (operation.requestBody && body && 'invalid' in body) {
    return validationFailed(`Invalid input JSON: ${body.invalid}`, [
      { message: body.invalid, code: 'INVALID_JSON', in: 'body' },
    ]);
  }
  const query = parts.validator.query(operation, url.searchParams);
  const bodyValue = body && 'value' in body ? body.value : undefined;
  const problems = [...query.errors, ...parts.validator.requestBody(operation, bodyValue)];
  if (problems.length > 0)
    return validationFailed(
      `Invalid input: ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );

  const handler = OPERATION_HANDLERS[match.routeKey]!;
  return handler(
    { params: match.params, query: query.values, body: bodyValue, url, arrivedAt },
    parts.handlerContext,
  );
}

function parseBody(raw: string): ParsedBody {
  if (raw === '') return undefined;
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { invalid: (error as Error).message };
  }
}

function unauthorized(reason: 'missing' | 'unknown'): ApiAnswer {
  const message =
    reason === 'missing'
      ? 'Authentication credentials not found. This API supports OAuth 2.0 and private app access tokens sent as Authorization: Bearer <token>.'
      : 'The access token is not valid for this account: it is unknown, expired or revoked.';
  return { status: 401, body: errorBody('INVALID_AUTHENTICATION', message) };
}

function missingScopesAnswer(missing: string[], required: string[]): ApiAnswer {
  return {
    status: 403,
    body: errorBody(
      'MISSING_SCOPES',
      `This app hasn't been granted all required scopes to make this call. Missing: ${missing.join(', ')}. Read more about required scopes here: https://developers.hubspot.com/scopes.`,
      {
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { missingScopes: missing, requiredScopes: required },
          },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      },
    ),
  };
}

function validationFailed(message: string, errors: ErrorDetail[]): ApiAnswer {
  return { status: 400, body: errorBody('VALIDATION_ERROR', message, { errors }) };
}

function tooManyRequests(policyName: RateLimitPolicyName, retryAfterSeconds: number): ApiAnswer {
  const message =
    policyName === 'DAILY'
      ? 'You have reached your daily limit.'
      : 'You have reached your ten_secondly_rolling limit.';
  return {
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    body: rateLimitErrorBody(policyName, message),
  };
}

/** 502 and 504 come from HubSpot's edge as HTML; everything else in HubSpot's JSON shapes. */
function injectedAnswer(action: Extract<FaultAction, { kind: 'status' }>): ApiAnswer {
  const headers: Record<string, string> =
    action.retryAfterSeconds === undefined
      ? {}
      : { 'Retry-After': String(action.retryAfterSeconds) };
  if (action.status === 429) {
    const policyName = action.policyName ?? 'TEN_SECONDLY_ROLLING';
    return {
      status: 429,
      headers,
      body: rateLimitErrorBody(
        policyName,
        `You have reached your ${policyName.toLowerCase()} limit.`,
      ),
    };
  }
  if (action.status === 502 || action.status === 504) {
    const title = action.status === 502 ? '502 Bad Gateway' : '504 Gateway Timeout';
    return {
      status: action.status,
      headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' },
      body: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
    };
  }
  return {
    status: action.status,
    headers,
    body: errorBody(categoryForStatus(action.status), `Injected ${action.status} from hubspot-sim`),
  };
}

function faultLabel(action: FaultAction): string {
  return action.kind === 'status' ? String(action.status) : action.kind;
}

function writeAnswer(
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

/** Resolves after `ms` (never, when undefined) or as soon as `signal` aborts; never rejects. */
function waitFor(ms: number | undefined, signal: AbortSignal): Promise<void> {
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
function closed(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (res.closed) controller.abort();
  else res.once('close', () => controller.abort());
  return controller.signal;
}
