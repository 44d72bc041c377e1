// The audit lines' bound: a change or a job start lists its ids on its first line when they fit
// there with its counts (`parts: 0`), else on `.ids` lines of at most AUDIT_IDS_PER_LINE ids joined
// to the first line by its key; every id exactly once either way.
import type { BatchOutcome, UpdateInput } from '@campaigns/core';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_IDS_PER_LINE,
  auditLines,
  jobAuditLines,
  openAuditLog,
  type AuditIds,
  type AuditIdsLine,
  type JobAuditEntry,
} from '../src/audit.js';

const caller = { subject: 'user-1', method: 'jwt' as const };
const NAMES = ['hs_notes', 'hs_goal', 'hs_name', 'hs_budget'];

/** Inputs over a small pool of ids and names: repeated ids, shared and distinct name sets. */
const inputsArb = (maxLength: number) =>
  fc.array(
    fc.record({
      id: fc.integer({ min: 0, max: 60 }).map((n) => `id-${n}`),
      properties: fc
        .subarray(NAMES, { minLength: 1 })
        .chain((names) =>
          fc.tuple(...names.map((name) => fc.string().map((value) => [name, value] as const))),
        )
        .map((pairs) => Object.fromEntries(pairs)),
    }),
    { maxLength },
  );

/** What a line lists: ids, and the property names of its headings. */
const costOf = (part: AuditIds) =>
  countOf(part) + (part.changes ?? []).reduce((n, g) => n + g.properties.length, 0);
const countOf = (part: AuditIds) =>
  (part.changes ?? []).reduce((n, g) => n + g.ids.length, 0) +
  (part.values?.length ?? 0) +
  (part.ok?.length ?? 0) +
  (part.errors ?? []).reduce((n, g) => n + g.ids.length, 0);

const keyOf = (names: readonly string[]) => [...names].sort().join(',');

/** What the ids lines must add up to: ids once per set of names, first-seen order. */
function expectedChanges(inputs: ReadonlyArray<UpdateInput>): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (const input of inputs) {
    const key = keyOf(Object.keys(input.properties));
    const ids = groups.get(key) ?? new Set();
    ids.add(input.id);
    groups.set(key, ids);
  }
  return new Map([...groups].map(([key, ids]) => [key, [...ids]]));
}

/** What an auditor does: concatenates the parts, in order, per heading. */
function joined(parts: ReadonlyArray<AuditIds>) {
  const changes = new Map<string, string[]>();
  const errors = new Map<string, string[]>();
  const values: NonNullable<AuditIds['values']> = [];
  const ok: string[] = [];
  for (const part of parts) {
    for (const g of part.changes ?? [])
      changes.set(keyOf(g.properties), [...(changes.get(keyOf(g.properties)) ?? []), ...g.ids]);
    for (const g of part.errors ?? [])
      errors.set(g.category, [...(errors.get(g.category) ?? []), ...g.ids]);
    values.push(...(part.values ?? []));
    ok.push(...(part.ok ?? []));
  }
  return { changes, errors, values, ok };
}

/** What the first line's counts cost against the bound: one per name and one per count. */
const countsCost = (counts: ReadonlyArray<{ properties: string[] }>) =>
  counts.reduce((n, c) => n + c.properties.length + 1, 0);

/** Every id of `parts` on one line, headings merged (what a single line would list). */
function merged(parts: ReadonlyArray<AuditIds>): AuditIds {
  const all = joined(parts);
  return {
    changes: [...all.changes].map(([key, ids]) => ({ properties: key.split(','), ids })),
    values: all.values,
    ok: all.ok,
    errors: [...all.errors].map(([category, ids]) => ({ category, ids })),
  };
}

/**
 * What an auditor does with a record: its first line's own ids when `parts` is 0, else its `.ids`
 * lines. Checks the shape on the way: one line when the counts and ids fit the bound together,
 * else a first line without ids and well-formed parts (`parts` of them).
 */
function idsOfRecord(
  first: AuditIds & { parts: number; counts: ReadonlyArray<{ properties: string[] }> },
  parts: ReadonlyArray<AuditIdsLine>,
  perLine: number,
): AuditIds[] {
  expect(first.parts).toBe(parts.length);
  if (first.parts === 0) {
    expect(countsCost(first.counts) + costOf(first)).toBeLessThanOrEqual(perLine);
    return [first];
  }
  for (const key of ['changes', 'values', 'ok', 'errors']) expect(first).not.toHaveProperty(key);
  expectWellFormed(parts, perLine);
  // Split only when one line could not hold it all.
  expect(countsCost(first.counts) + costOf(merged(parts))).toBeGreaterThan(perLine);
  return [...parts];
}

/** Parts numbered 1..n, each saying n, each within the bound and not empty. */
function expectWellFormed(parts: ReadonlyArray<AuditIdsLine>, perLine: number) {
  parts.forEach((part, index) => {
    expect(part.part).toBe(index + 1);
    expect(part.parts).toBe(parts.length);
    expect(countOf(part)).toBeGreaterThan(0);
    // Within the bound, or one id under a heading longer than the bound on its own.
    if (countOf(part) > 1) expect(costOf(part)).toBeLessThanOrEqual(perLine);
  });
}

describe('job start lines', () => {
  it('list every id exactly once, on the first line or across parts, within the bound, whatever the change set', () => {
    fc.assert(
      fc.property(
        inputsArb(200),
        fc.boolean(),
        fc.integer({ min: 1, max: 60 }),
        (inputs, includeValues, perLine) => {
          const entry: JobAuditEntry = {
            kind: 'start',
            requestId: 'req-1',
            caller,
            job: { id: 'job-1', total: new Set(inputs.map((i) => i.id)).size },
            inputs,
          };
          const [start, ...parts] = jobAuditLines(entry, includeValues, { perLine });
          for (const part of parts) expect(part).toMatchObject({ job: 'job-1', reqId: 'req-1' });
          if (start.event !== 'campaigns.job.start') throw new Error(start.event);

          const all = joined(idsOfRecord(start, parts, perLine));
          if (includeValues) {
            expect(all.values).toEqual(inputs);
            expect(all.changes.size).toBe(0);
          } else {
            expect(all.changes).toEqual(expectedChanges(inputs));
            expect(all.values).toEqual([]);
            // The counts on the first line are the lengths of the joined groups (the first ones,
            // as many as fit in the bound).
            expect(start.groups).toBe(all.changes.size);
            expect(start.counts).toEqual(
              [...all.changes]
                .slice(0, start.counts.length)
                .map(([key, ids]) => ({ properties: key.split(','), campaigns: ids.length })),
            );
            const headings = start.counts.reduce((n, c) => n + c.properties.length + 1, 0);
            expect(headings).toBeLessThanOrEqual(perLine);
            if (start.counts.length < start.groups) {
              const next = [...all.changes.keys()][start.counts.length]!.split(',').length + 1;
              expect(headings + next).toBeGreaterThan(perLine);
            }
          }
        },
      ),
    );
  });

  it('writes a 5,000-id job start as one small line and lines of at most AUDIT_IDS_PER_LINE ids', async () => {
    const written: string[] = [];
    const log = await openAuditLog(
      { sink: { kind: 'stdout' }, includeValues: false },
      {
        destination: { write: (line: string) => written.push(line) },
        secrets: () => [],
        logger: pino({ level: 'silent' }),
      },
    );
    const ids = Array.from(
      { length: 5000 },
      (_, n) => `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`,
    );
    log.recordJob({
      kind: 'start',
      requestId: 'req-5000',
      caller,
      job: { id: 'job-5000', total: 5000 },
      inputs: ids.map((id, n): UpdateInput => ({
        id,
        properties: n % 2 ? { hs_notes: 'x' } : { hs_notes: 'x', hs_goal: 'y' },
      })),
    });
    await log.close();

    const lines = written.map((l) => JSON.parse(l) as Record<string, unknown> & AuditIds);
    for (const line of lines) expect(costOf(line)).toBeLessThanOrEqual(AUDIT_IDS_PER_LINE);
    // 5,000 ids and the names of the groups on each line that has some: six lines after the first.
    expect(lines.map((l) => l.event)).toEqual([
      'campaigns.job.start',
      ...Array<string>(6).fill('campaigns.job.ids'),
    ]);
    expect(lines[0]).toMatchObject({
      job: 'job-5000',
      campaigns: 5000,
      parts: 6,
      groups: 2,
      counts: [
        { properties: ['hs_goal', 'hs_notes'], campaigns: 2500 },
        { properties: ['hs_notes'], campaigns: 2500 },
      ],
    });
    expect(written[0]!.length).toBeLessThan(1000);
    // 1,000 quoted ids and little else.
    for (const line of written.slice(1))
      expect(line.length).toBeLessThan(AUDIT_IDS_PER_LINE * 40 + 1000);
    const all = joined(lines.slice(1));
    expect(all.changes.get('hs_goal,hs_notes')).toEqual(ids.filter((_, n) => n % 2 === 0));
    expect(all.changes.get('hs_notes')).toEqual(ids.filter((_, n) => n % 2 === 1));
    expect(lines.slice(1).every((l) => l.job === 'job-5000' && l.reqId === 'req-5000')).toBe(true);
  });

  it('keeps every line within the bound when each input sets its own property names', () => {
    // 1,200 distinct sets of 10 long names: the sets, not the ids, would make the lines long.
    const inputs = Array.from({ length: 1200 }, (_, n): UpdateInput => ({
      id: `id-${n}`,
      properties: Object.fromEntries(
        Array.from({ length: 10 }, (_, k) => [`p${n}_${k}_${'x'.repeat(90)}`, 'v']),
      ),
    }));
    const lines = jobAuditLines(
      { kind: 'start', requestId: 'r', caller, job: { id: 'j', total: 1200 }, inputs },
      false,
    );
    const [start, ...parts] = lines;
    if (start.event !== 'campaigns.job.start') throw new Error(start.event);
    expect(start.groups).toBe(1200);
    expect(start.counts.length).toBe(Math.floor(AUDIT_IDS_PER_LINE / 11));
    expectWellFormed(parts, AUDIT_IDS_PER_LINE);
    for (const line of lines) expect(JSON.stringify(line).length).toBeLessThan(120_000);
    expect([...joined(parts).changes.values()].flat()).toEqual(inputs.map((i) => i.id));
  });

  it('scrubs secrets from the values on every part', async () => {
    const SECRET = 'pat-na1-a-secret-token-0123456789';
    const written: string[] = [];
    const log = await openAuditLog(
      { sink: { kind: 'stdout' }, includeValues: true },
      {
        destination: { write: (line: string) => written.push(line) },
        secrets: () => [SECRET],
        logger: pino({ level: 'silent' }),
      },
    );
    log.recordJob({
      kind: 'start',
      requestId: 'req-s',
      caller,
      job: { id: 'job-s', total: 2500 },
      inputs: Array.from({ length: 2500 }, (_, n) => ({
        id: `id-${n}`,
        properties: { hs_notes: `note ${n} ${SECRET}` },
      })),
    });
    await log.close();
    expect(written).toHaveLength(4);
    expect(written.join('')).not.toContain(SECRET);
    expect(JSON.parse(written[3]!)).toMatchObject({
      event: 'campaigns.job.ids',
      part: 3,
      parts: 3,
      values: expect.arrayContaining([
        { id: 'id-2499', properties: { hs_notes: 'note 2499 [REDACTED]' } },
      ]),
    });
  });
});

describe('updateCampaigns lines', () => {
  it('list changes, ok and errors once each, on the first line or across parts, within the bound', () => {
    fc.assert(
      fc.property(
        inputsArb(120),
        fc.boolean(),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.constantFrom('OBJECT_NOT_FOUND', 'RETRIES_EXHAUSTED', 'CANCELED'), {
          maxLength: 120,
        }),
        (inputs, includeValues, perLine, categories) => {
          // Each distinct id either ok or failed with a category.
          const distinct = [...new Set(inputs.map((i) => i.id))];
          const ok = distinct.filter((_, n) => categories[n] === undefined);
          const failed = distinct.filter((_, n) => categories[n] !== undefined);
          const outcome = {
            status: 'COMPLETE',
            results: ok.map((id) => ({ id })),
            numErrors: failed.length,
            errors: failed.map((id) => ({
              category: categories[distinct.indexOf(id)]!,
              ids: [id],
            })),
          } as unknown as BatchOutcome<{ id: string }>;
          const [line, ...parts] = auditLines(
            { requestId: 'req-u', caller, inputs, outcome, durationMs: 1 },
            includeValues,
            { perLine, auditId: 'audit-1' },
          );
          for (const part of parts)
            expect(part).toMatchObject({
              event: 'campaigns.update.ids',
              auditId: 'audit-1',
              reqId: 'req-u',
            });
          expect(line).toMatchObject({ auditId: 'audit-1' });

          const all = joined(idsOfRecord(line, parts, perLine));
          expect(all.ok).toEqual(ok);
          const byCategory = new Map<string, string[]>();
          for (const id of failed) {
            const category = categories[distinct.indexOf(id)]!;
            byCategory.set(category, [...(byCategory.get(category) ?? []), id]);
          }
          expect(all.errors).toEqual(byCategory);
          expect(new Map(line.errorCounts!.map((c) => [c.category, c.campaigns]))).toEqual(
            new Map([...byCategory].map(([c, ids]) => [c, ids.length])),
          );
          if (includeValues) expect(all.values).toEqual(inputs);
          else expect(all.changes).toEqual(expectedChanges(inputs));
        },
      ),
    );
  });

  it('gives the change an error and no ids of results when the engine threw', () => {
    const [line, ...parts] = auditLines(
      {
        requestId: 'req-e',
        caller,
        inputs: [{ id: 'a', properties: { hs_notes: 'x' } }],
        error: new TypeError('boom'),
        durationMs: 1,
      },
      false,
    );
    expect(parts).toEqual([]);
    expect(line).toMatchObject({
      result: 'error',
      error: { type: 'TypeError', message: 'boom' },
      counts: [{ properties: ['hs_notes'], campaigns: 1 }],
      parts: 0,
      changes: [{ properties: ['hs_notes'], ids: ['a'] }],
    });
    expect(line.auditId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line).not.toHaveProperty('ok');
    expect(line).not.toHaveProperty('errors');
  });

  it('writes one line exactly while the counts and ids fit the bound, and splits one id later', () => {
    // One set of one name: the count costs 2, the heading 1; then 2 ids each (change and ok).
    const record = (n: number) => {
      const inputs = Array.from({ length: n }, (_, k) => ({
        id: `id-${k}`,
        properties: { hs_notes: 'x' },
      }));
      const outcome = {
        status: 'COMPLETE',
        results: inputs.map(({ id }) => ({ id })),
        numErrors: 0,
        errors: [],
      } as unknown as BatchOutcome<{ id: string }>;
      return auditLines({ requestId: 'r', caller, inputs, outcome, durationMs: 1 }, false, {
        perLine: 13,
        auditId: 'x',
      });
    };
    const [one, ...none] = record(5); // 2 + 1 + 5 + 5 = 13
    expect(none).toEqual([]);
    expect(one).toMatchObject({
      parts: 0,
      changes: [{ properties: ['hs_notes'], ids: ['id-0', 'id-1', 'id-2', 'id-3', 'id-4'] }],
      ok: ['id-0', 'id-1', 'id-2', 'id-3', 'id-4'],
    });
    // 15 with the count: over. The ids alone (13) fit one `.ids` line, which the count is not on.
    const [first, ...parts] = record(6);
    expect(first).toMatchObject({ parts: 1 });
    expect(first).not.toHaveProperty('changes');
    expect(first).not.toHaveProperty('ok');
    expect(parts.map((p) => p.part)).toEqual([1]);
    expect(joined(parts).ok).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
  });
});
