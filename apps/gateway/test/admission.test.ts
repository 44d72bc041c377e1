// Admission's bookkeeping on its own: slots given back exactly once, no per-caller entry left
// behind, Retry-After from recent operation times.
import { describe, expect, it } from 'vitest';
import { Admission, isRefusal, refusalError, type Refusal, type Ticket } from '../src/admission.js';

const ticket = (value: Ticket | Refusal): Ticket => {
  if (isRefusal(value)) throw new Error(`refused: ${value.message}`);
  return value;
};

describe('Admission', () => {
  it('counts slots per process and per caller, gives each back once, and forgets idle callers', () => {
    const reasons: string[] = [];
    const admission = new Admission(
      { maxInflight: 3, maxInflightPerCaller: 2 },
      { onRefuse: (reason) => reasons.push(reason) },
    );
    const a1 = ticket(admission.enter());
    const a2 = ticket(admission.enter());
    expect(a1.admitCaller('alice')).toBeUndefined();
    expect(a2.admitCaller('alice')).toBeUndefined();
    const a3 = ticket(admission.enter());
    const refused = a3.admitCaller('alice');
    expect(refused).toMatchObject({ reason: 'caller', setting: 'MAX_INFLIGHT_PER_CALLER', max: 2 });
    expect(isRefusal(admission.enter())).toBe(true); // 3 process slots taken (a3 holds one)
    expect(reasons).toEqual(['caller', 'process']);

    a3.release();
    a1.release();
    a1.release(); // idempotent
    expect(admission.inflightCount()).toBe(1);
    expect(admission.inflightCount('alice')).toBe(1);
    a2.release();
    expect(admission.inflightCount()).toBe(0);
    expect(admission.inflightCount('alice')).toBe(0);
    expect((admission as unknown as { perCaller: Map<string, number> }).perCaller.size).toBe(0);
  });

  it('bases Retry-After on recent operation times, between 1 and 30 s', () => {
    let now = 0;
    const admission = new Admission(
      { maxInflight: 1, maxInflightPerCaller: 1 },
      { now: () => now },
    );
    const retryAfter = () => {
      const held = ticket(admission.enter());
      const refusal = admission.enter() as Refusal;
      held.release();
      return refusal.retryAfterSeconds;
    };
    expect(retryAfter()).toBe(1);
    for (let i = 0; i < 30; i++) {
      const t = ticket(admission.enter());
      t.admitCaller('etl');
      now += 12_000;
      t.release();
    }
    expect(retryAfter()).toBe(12);
    for (let i = 0; i < 30; i++) {
      const t = ticket(admission.enter());
      t.admitCaller('etl');
      now += 600_000;
      t.release();
    }
    expect(retryAfter()).toBe(30);
  });

  it('turns a refusal into a GraphQL error Apollo answers with 429 and Retry-After', () => {
    const admission = new Admission({ maxInflight: 1, maxInflightPerCaller: 1 });
    ticket(admission.enter());
    const refusal = admission.enter() as Refusal;
    const error = refusalError(refusal);
    expect(error.message).toMatch(/MAX_INFLIGHT_OPERATIONS=1/);
    const http = error.extensions.http as { status: number; headers: Map<string, string> };
    expect(http.status).toBe(429);
    expect(http.headers.get('retry-after')).toBe(String(refusal.retryAfterSeconds));
    expect(error.extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: { setting: 'MAX_INFLIGHT_OPERATIONS', max: 1 },
    });
  });
});
