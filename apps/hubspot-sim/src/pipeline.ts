// How one API call is judged, in a fixed order: authentication, then the rate limit, then
// (unless a fault was injected) the route, scopes, schema and the operation's business rules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  injectedAnswer,
  methodNotAllowed,
  missingScopesAnswer,
  notImplemented,
  routeNotFound,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
  type ApiAnswer,
} from './answers.js';
import { missingScopes, type TokenRegistry, type SimTokenConfig } from './auth.js';
import type { AnswerFault, FaultAction, FaultPlan } from './faults.js';
import { OPERATION_HANDLERS, type HandlerContext } from './handlers.js';
import { closed, parseBody, waitFor, writeAnswer, type ParsedBody } from './http.js';
import type { RateLimiter } from './rate-limit.js';
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

/**
 * Answers one API call. Order: count batch size → 401 → scripted fault → 429 → latency →
 * random fault → 404/405 → 403 → 415/400 (JSON, query, schema) → the operation's own rules, or
 * 501 for an operation the spec declares and the simulator does not model.
 * Scripted faults use no rate budget; random ones strike calls that were already counted.
 */
export async function answerApiCall(
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
  parts: PipelineParts,
): Promise<void> {
  const { stats, faults, limiter, closing } = parts;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const match = matchRoute(method, url.pathname, parts.spec.operations, parts.spec.apiRoots);
  if (match.apiRoot !== undefined) stats.arrivedOn(match.apiRoot);
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
  // The call's time in its answer (requestedAt, startedAt): once it is counted, as HubSpot's
  // edge counts a call before its service stamps it; after a scripted delay, which plays a
  // slow way there.
  const arrivedAt = Date.now();

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
  if (match.kind === 'not-found') return routeNotFound(url.pathname);
  if (match.kind === 'method-not-allowed') return methodNotAllowed(match.routeKey, match.allowed);
  const { operation } = match;
  const missing = missingScopes(token, operation.requiredScopes);
  if (missing.length > 0) return missingScopesAnswer(missing, operation.requiredScopes);

  if (
    operation.requestBody &&
    body !== undefined &&
    !/^application\/json\b/i.test(contentType ?? '')
  )
    return unsupportedMediaType(contentType);
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

  const handler = OPERATION_HANDLERS[match.routeKey];
  if (!handler) return notImplemented(match.routeKey, operation.operationId);
  return handler(
    {
      params: match.params,
      query: query.values,
      body: bodyValue,
      url,
      arrivedAt,
      ...(operation.maxInputs === undefined ? {} : { maxInputs: operation.maxInputs }),
      multiStatus: operation.responses['207'] !== undefined,
    },
    parts.handlerContext,
  );
}

function faultLabel(action: FaultAction): string {
  return action.kind === 'status' ? String(action.status) : action.kind;
}
