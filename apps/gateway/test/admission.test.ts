// Admission's bookkeeping on its own: the caller's slot first, the process's second, slots given
// back exactly once, no per-caller entry left behind, Retry-After from recent operation times.
import { describe, expect, it } from 'vitest';
import {
  Admission,
  isRefusal,
  refusalExtensions,
  type Refusal,
  type Ticket,
} from '../src/admission.js';

const ticket = (value: Ticket | Refusal): Ticket => {
  if (isRefusal(value)) throw new Error(`refused: ${value.message}`);
  return value;
};

describe('Admission', () => {
  it('counts slots per caller and per process, gives each back once, and forgets idle callers', () => {
    const reasons: string[] = [];
    const admission = new Admission(
      { maxInflight: 3, maxInflightPerCaller: 2 },
      { onRefuse: (reason) => reasons.push(reason) },
    );
    const a1 = ticket(admission.admit('alice'));
    const a2 = ticket(admission.admit('alice'));
    expect(a1.enterProcess()).toBeUndefined();
    expect(a2.enterProcess()).toBeUndefined();
    const refused = admission.admit('alice');
    expect(refused).toMatchObject({ reason: 'caller', setting: 'MAX_INFLIGHT_PER_CALLER', max: 2 });
    const b1 = ticket(admission.admit('bob'));
    const b2 = ticket(admission.admit('bob'));
    expect(b1.enterProcess()).toBeUndefined();
    expect(b2.enterProcess()).toMatchObject({
      reason: 'process',
      setting: 'MAX_INFLIGHT_OPERATIONS',
      max: 3,
    });
    expect(reasons).toEqual(['caller', 'process']);
    expect(admission.inflightCount()).toBe(3);
    expect(admission.inflightCount('bob')).toBe(2);

    b2.release(); // held only a caller slot
    expect(admission.inflightCount()).toBe(3);
    expect(admission.inflightCount('bob')).toBe(1);
    a1.release();
    a1.release(); // idempotent
    expect(admission.inflightCount()).toBe(2);
    expect(admission.inflightCount('alice')).toBe(1);
    a2.release();
    b1.release();
    expect(admission.inflightCount()).toBe(0);
    expect(admission.inflightCount('alice')).toBe(0);
    expect((admission as unknown as { perCaller: Map<string, number> }).perCaller.size).toBe(0);
  });

  it('lets a caller holding slots without a body (no process slot) block only itself', () => {
    const admission = new Admission({ maxInflight: 2, maxInflightPerCaller: 2 });
    // A slow client: two requests whose bodies never finish arriving.
    ticket(admission.admit('slowloris'));
    ticket(admission.admit('slowloris'));
    expect(isRefusal(admission.admit('slowloris'))).toBe(true);
    // Everyone else still gets the whole process.
    const others = [ticket(admission.admit('alice')), ticket(admission.admit('bob'))];
    expect(others.map((t) => t.enterProcess())).toEqual([undefined, undefined]);
  });

  it('bases Retry-After on recent operation times, between 1 and 30 s', () => {
    let now = 0;
    const admission = new Admission(
      { maxInflight: 1, maxInflightPerCaller: 1 },
      { now: () => now },
    );
    const retryAfter = () => {
      const held = ticket(admission.admit('etl'));
      const refusal = admission.admit('etl') as Refusal;
      held.release();
      return refusal.retryAfterSeconds;
    };
    expect(retryAfter()).toBe(1);
    for (let i = 0; i < 30; i++) {
      const t = ticket(admission.admit('etl'));
      t.enterProcess();
      now += 12_000;
      t.release();
    }
    expect(retryAfter()).toBe(12);
    for (let i = 0; i < 30; i++) {
      const t = ticket(admission.admit('etl'));
      t.enterProcess();
      now += 600_000;
      t.release();
    }
    expect(retryAfter()).toBe(30);
  });

  it('describes a refusal by its setting, cap and Retry-After', () => {
    const admission = new Admission({ maxInflight: 1, maxInflightPerCaller: 1 });
    ticket(admission.admit('alice')).enterProcess();
    const refusal = ticket(admission.admit('bob')).enterProcess()!;
    expect(refusal.message).toMatch(/MAX_INFLIGHT_OPERATIONS=1/);
    expect(refusalExtensions(refusal)).toEqual({
      code: 'TOO_MANY_REQUESTS',
      limit: { setting: 'MAX_INFLIGHT_OPERATIONS', max: 1 },
      retryAfterSeconds: refusal.retryAfterSeconds,
    });
  });
});
