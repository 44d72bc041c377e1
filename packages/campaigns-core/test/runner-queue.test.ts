// How a run queues its chunks: in order, and only as many at a time as keep its request slots
// busy (a 100,000-item run held all 2,000 of its chunks queued, coroutine, promises and all).
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { BatchOperation } from '../src/batch-operation.js';
import type { RateBudget } from '../src/budget.js';
import { RateLimitBudget, runBatch } from '../src/index.js';
import { ids } from './fake-hubspot.js';

/** A budget that grants at once (the test is about slots, not the rate). */
function unlimited(): RateBudget {
  const snapshot = new RateLimitBudget().snapshot();
  return {
    acquire: () => Promise.resolve(Date.now()),
    answered: () => undefined,
    observe: () => undefined,
    penalize: () => undefined,
    exhaust: () => undefined,
    snapshot: () => snapshot,
  };
}

describe('runBatch queues', () => {
  it('as many chunks as its slots can take next, not all of them at once, and books every item', async () => {
    let queued = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const counting: SpanProcessor = {
      onStart: (span) => {
        // A chunk's span starts when the chunk is queued.
        if ((span as unknown as { name: string }).name.endsWith(' chunk')) queued++;
      },
      onEnd: () => undefined,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const tracer = new BasicTracerProvider({ spanProcessors: [counting] }).getTracer('queue');
    const gates: Array<() => void> = [];
    const op: BatchOperation<string, { id: string }> = {
      name: 'read',
      idempotent: true,
      send: async (payloads) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise<void>((open) => gates.push(open));
        inFlight--;
        return { status: 200, results: payloads.map((id) => ({ id })), errors: [], rateLimit: {} };
      },
      match: (items, results) => results.map((r, i) => [items[i]!.key, r]),
    };
    const keys = ids(300);
    const run = runBatch(
      op,
      keys.map((key) => ({ key, payload: key })),
      unlimited(),
      { chunkSize: 1, maxConcurrency: 3, tracer },
    );
    await new Promise((settle) => setTimeout(settle, 20));
    expect(inFlight).toBe(3);
    // The 3 in flight and the next 3 waiting for a slot; the other 294 not yet (all 300 before).
    expect(queued).toBe(6);
    // Answer everything, a slot at a time as it frees.
    while (gates.length > 0 || inFlight > 0) {
      gates.shift()?.();
      await new Promise((settle) => setImmediate(settle));
    }
    const outcome = await run;
    expect(outcome.results.map((r) => r.id)).toEqual(keys);
    expect(outcome.stats).toMatchObject({ requests: 300, chunks: 300 });
    expect(queued).toBe(300);
    expect(mostInFlight).toBe(3);
  });

  it('fails the run when the caller’s onProgress throws, as before lazy queueing (never hangs)', async () => {
    const op: BatchOperation<string, { id: string }> = {
      name: 'read',
      idempotent: true,
      send: async (payloads) => ({
        status: 200,
        results: payloads.map((id) => ({ id })),
        errors: [],
        rateLimit: {},
      }),
      match: (items, results) => results.map((r, i) => [items[i]!.key, r]),
    };
    const keys = ids(10);
    const run = runBatch(
      op,
      keys.map((key) => ({ key, payload: key })),
      unlimited(),
      {
        chunkSize: 1,
        maxConcurrency: 2,
        onProgress: (p) => {
          if (p.chunksDone === 3) throw new Error('onProgress bug');
        },
      },
    );
    await expect(run).rejects.toThrow('onProgress bug');
  });
});
