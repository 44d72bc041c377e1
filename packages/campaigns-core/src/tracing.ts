// OpenTelemetry spans of a run: one span per runBatch call, one per chunk under it, and the
// chunk's story (429s, retries, waits, isolation) as span events. Created only when the caller
// passed a tracer (RunOptions.tracer): without one the runner never reaches this module.
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { BatchOutcome } from './outcome.js';
import type { RunEvent } from './progress.js';

/** Longest text (a failure message) put in an event attribute. */
const MAX_TEXT = 256;
/** Waits shorter than this are not worth an event. */
const MIN_WAIT_MS = 1;

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/** Runs `run` inside a span named `campaigns.<operation>`, a child of the active context. */
export async function traceRun<R>(
  tracer: Tracer,
  operation: string,
  items: number,
  run: (trace: RunTrace) => Promise<BatchOutcome<R>>,
): Promise<BatchOutcome<R>> {
  const parent = context.active();
  const span = tracer.startSpan(
    `campaigns.${operation}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: { 'campaigns.operation': operation, 'campaigns.items': items },
    },
    parent,
  );
  const runContext = trace.setSpan(parent, span);
  const runTrace = new RunTrace(tracer, operation, span, runContext);
  try {
    const outcome = await context.with(runContext, run, undefined, runTrace);
    const { stats } = outcome;
    span.setAttributes({
      'campaigns.outcome.status': outcome.status,
      ...(outcome.stopReason ? { 'campaigns.stop_reason': outcome.stopReason } : {}),
      'campaigns.chunks': stats.chunks,
      'campaigns.requests': stats.requests,
      'campaigns.retries': stats.retries,
      'campaigns.rate_limited': stats.rateLimited,
      'campaigns.isolation_requests': stats.isolationRequests,
      'campaigns.succeeded': stats.succeeded,
      'campaigns.failed': outcome.numErrors,
    });
    if (outcome.status === 'CANCELED')
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `the run stopped early: ${outcome.stopReason ?? 'canceled'}`,
      });
    return outcome;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The run's span; starts the chunk spans. */
export class RunTrace {
  constructor(
    private readonly tracer: Tracer,
    private readonly operation: string,
    private readonly span: Span,
    private readonly context: Context,
  ) {}

  /**
   * Runs one chunk (with its retries and isolation requests) inside its own span, made the active
   * context so the HTTP client's request spans become its children.
   */
  async chunk(index: number, size: number, run: (chunk: ChunkTrace) => Promise<void>) {
    const span = this.tracer.startSpan(
      `campaigns.${this.operation} chunk`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { 'campaigns.chunk.index': index, 'campaigns.chunk.size': size },
      },
      this.context,
    );
    const chunk = new ChunkTrace(span);
    try {
      await context.with(trace.setSpan(this.context, span), run, undefined, chunk);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      chunk.end();
    }
  }

  /** Run-level events (a stop) go on the run span. */
  record(event: RunEvent): void {
    if (event.type === 'stop')
      this.span.addEvent('campaigns.stop', {
        'campaigns.stop_reason': event.reason,
        message: clip(event.message),
      });
  }
}

/** One chunk's span: counts its requests and turns the runner's events into span events. */
export class ChunkTrace {
  private requests = 0;
  private attempts = 0;
  private retries = 0;
  private rateLimited = 0;
  private answered = 0;
  private lastStatus: number | undefined;
  private lastFailure: string | undefined;

  constructor(private readonly span: Span) {}

  /** Time spent waiting for a concurrency slot and the rate budget before a request. */
  waited(ms: number): void {
    if (ms >= MIN_WAIT_MS)
      this.span.addEvent('campaigns.wait', { 'campaigns.wait_ms': Math.round(ms) });
  }

  record(event: RunEvent): void {
    switch (event.type) {
      case 'request':
        this.requests++;
        this.attempts = Math.max(this.attempts, event.attempt);
        return; // the HTTP client's span shows the request itself
      case 'response':
        this.answered++;
        this.lastStatus = event.status;
        this.lastFailure = undefined;
        return;
      case 'request-failed':
        this.lastStatus = event.status;
        this.lastFailure = event.status !== undefined ? `HTTP ${event.status}` : event.kind;
        this.span.addEvent('campaigns.request_failed', {
          'campaigns.request.size': event.size,
          'campaigns.failure.kind': event.kind,
          ...(event.status !== undefined ? { 'http.response.status_code': event.status } : {}),
          'campaigns.duration_ms': event.durationMs,
          message: clip(event.message),
        });
        return;
      case 'rate-limited':
        this.rateLimited++;
        this.span.addEvent('campaigns.rate_limited', {
          'http.response.status_code': 429,
          ...(event.policyName ? { 'hubspot.policy_name': event.policyName } : {}),
          ...(event.retryAfterMs !== undefined
            ? { 'hubspot.retry_after_ms': event.retryAfterMs }
            : {}),
        });
        return;
      case 'retry':
        this.retries++;
        this.span.addEvent('campaigns.retry', {
          'campaigns.attempt': event.attempt,
          'campaigns.backoff_ms': event.delayMs,
          'campaigns.request.size': event.size,
          reason: clip(event.reason),
        });
        return;
      case 'isolate':
        this.span.addEvent('campaigns.isolate', {
          'campaigns.isolate.strategy': event.strategy,
          'campaigns.request.size': event.size,
          'campaigns.isolate.named': event.named,
        });
        return;
      case 'stop':
        return; // on the run span
    }
  }

  end(): void {
    this.span.setAttributes({
      'campaigns.chunk.requests': this.requests,
      'campaigns.chunk.attempts': this.attempts,
      'campaigns.chunk.retries': this.retries,
      'campaigns.chunk.rate_limited': this.rateLimited,
      ...(this.lastStatus !== undefined ? { 'http.response.status_code': this.lastStatus } : {}),
    });
    if (this.answered === 0 && this.lastFailure !== undefined)
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `no request of this chunk succeeded; last failure: ${this.lastFailure}`,
      });
    this.span.end();
  }
}

function recordError(span: Span, error: unknown): void {
  // Name and message only: no stack trace leaves the process.
  const name = error instanceof Error ? error.name : 'Error';
  const message = clip(error instanceof Error ? error.message : String(error));
  span.recordException({ name, message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
