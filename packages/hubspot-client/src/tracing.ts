// OpenTelemetry client spans for HubSpot requests, following the HTTP client semantic
// conventions. Used only when the client was given a tracer: otherwise none of this runs.
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { parseRateLimitHeaders, parseRetryAfter } from './rate-limit.js';

/**
 * Sends `request` through `send` inside a CLIENT span (a child of the active context: the core's
 * chunk span), with the span's `traceparent` injected through the global propagator. Attributes:
 * method, `url.full` without query, `url.template`, server address/port, status code, HubSpot's
 * rate-limit headers and correlation id. Never a header value of the request (no Authorization).
 */
export async function tracedSend(
  tracer: Tracer,
  request: Request,
  template: string | undefined,
  send: (request: Request) => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method;
  const parent = context.active();
  const span = tracer.startSpan(
    template ? `${method} ${template}` : method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        // No query string (it may carry secrets elsewhere), no user info.
        'url.full': `${url.protocol}//${url.host}${url.pathname}`,
        'url.scheme': url.protocol.replace(/:$/, ''),
        'server.address': url.hostname,
        'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        ...(template ? { 'url.template': template } : {}),
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), request.headers, {
    set: (headers, key, value) => headers.set(key, value),
  });
  let response: Response;
  try {
    response = await send(request);
  } catch (error) {
    const reason: unknown = request.signal.aborted ? request.signal.reason : error;
    const type = reason instanceof Error ? reason.name : 'network';
    span.setAttribute('error.type', type);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: request.signal.aborted ? `aborted (${type})` : 'no response (network failure)',
    });
    span.end();
    throw error;
  }
  const status = response.status;
  const rateLimit = parseRateLimitHeaders(response.headers);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const correlationId = response.headers.get('x-hubspot-correlation-id');
  span.setAttributes({
    'http.response.status_code': status,
    ...(rateLimit.max !== undefined ? { 'hubspot.ratelimit.max': rateLimit.max } : {}),
    ...(rateLimit.remaining !== undefined
      ? { 'hubspot.ratelimit.remaining': rateLimit.remaining }
      : {}),
    ...(rateLimit.intervalMs !== undefined
      ? { 'hubspot.ratelimit.interval_ms': rateLimit.intervalMs }
      : {}),
    ...(rateLimit.secondlyRemaining !== undefined
      ? { 'hubspot.ratelimit.secondly_remaining': rateLimit.secondlyRemaining }
      : {}),
    ...(rateLimit.dailyRemaining !== undefined
      ? { 'hubspot.ratelimit.daily_remaining': rateLimit.dailyRemaining }
      : {}),
    ...(retryAfterMs !== undefined ? { 'hubspot.retry_after_ms': retryAfterMs } : {}),
    ...(correlationId && /^[\w-]{1,64}$/.test(correlationId)
      ? { 'hubspot.correlation_id': correlationId }
      : {}),
  });
  if (status >= 400) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
  }
  span.end();
  return response;
}
