// Invariants checked against the simulator's own books, for random inputs, chunk sizes and
// fault scripts: every input id is accounted for exactly once, no request carries more than
// 50 inputs, the core causes no 429 itself, and HubSpot's final state is what was asked.
import fc from 'fast-check';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN, startHubSpotSim, type ScriptedFault } from '@campaigns/hubspot-sim';
import { describe, expect, it } from 'vitest';
import { CoreCategory, updateCampaigns } from '../src/index.js';

type Row = { kind: 'known' | 'unknown'; pick: number; value: string; badDate: boolean };

const rowArb: fc.Arbitrary<Row> = fc.record({
  kind: fc.constantFrom<'known' | 'unknown'>('known', 'known', 'known', 'unknown'),
  pick: fc.nat({ max: 59 }), // 60 known campaigns, so duplicates happen
  value: fc.string({ maxLength: 12 }),
  badDate: fc.nat({ max: 9 }).map((n) => n === 0),
});

const faultArb: fc.Arbitrary<ScriptedFault> = fc.oneof(
  fc.constant<ScriptedFault>({ status: 503 }),
  fc.constant<ScriptedFault>({ status: 500 }),
  fc.constant<ScriptedFault>({
    status: 429,
    policyName: 'TEN_SECONDLY_ROLLING',
    retryAfterSeconds: 0,
  }),
  fc.constant<ScriptedFault>({ kind: 'drop' }),
  fc.constant<ScriptedFault>({ kind: 'hang', ms: 2_000 }),
);

describe('updateCampaigns against the simulator', () => {
  it('accounts for every id once, sends ≤ 50 per request, causes no 429 and leaves the intended state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 1, maxLength: 140 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(faultArb, { maxLength: 3 }),
        fc.boolean(),
        async (rows, chunkSize, script, namesIds) => {
          const sim = await startHubSpotSim({
            campaigns: 60,
            seed: 5,
            rateLimit: { max: 40, intervalMs: 1_000 },
            validationErrorsNameIds: namesIds,
          });
          try {
            const known = sim.store.list().map((c) => c.id);
            const inputs = rows.map((r, i): { id: string; properties: Record<string, string> } => ({
              id:
                r.kind === 'known'
                  ? known[r.pick]!
                  : `00000000-0000-4000-8000-${String(r.pick).padStart(12, '0')}`,
              properties: r.badDate
                ? { hs_start_date: 'tomorrow' }
                : { hs_notes: `${r.value}#${i}` },
            }));
            sim.script(...script);
            const client = createHubSpotClient({
              token: DEFAULT_SIM_TOKEN,
              baseUrl: sim.url,
              timeoutMs: 300,
            });

            const outcome = await updateCampaigns(client, inputs, {
              chunkSize,
              retry: { baseDelayMs: 1, maxDelayMs: 20 },
            });

            // 1. Every distinct input id exactly once, in results or in one error.
            const named = [
              ...outcome.results.map((r) => r.id),
              ...outcome.errors.flatMap((e) => e.ids),
            ];
            expect(named.length).toBe(new Set(named).size);
            expect(new Set(named)).toEqual(new Set(inputs.map((i) => i.id)));
            // Results in input order (of first occurrence).
            const firstIndex = (id: string) => inputs.findIndex((i) => i.id === id);
            const order = outcome.results.map((r) => firstIndex(r.id));
            expect(order).toEqual([...order].sort((a, b) => a - b));

            // 2 and 3. The server's own count.
            const stats = sim.stats();
            expect(stats.largestBatch).toBeLessThanOrEqual(chunkSize);
            const scripted429 = script.filter((f) => 'status' in f && f.status === 429).length;
            expect(stats.rateLimited).toBeLessThanOrEqual(scripted429);

            // 4. Each id's fate, and the final state.
            const lastInput = new Map(inputs.map((i) => [i.id, i]));
            const bad = new Set(
              inputs.filter((i) => 'hs_start_date' in i.properties).map((i) => i.id),
            );
            for (const result of outcome.results) {
              const intended = lastInput.get(result.id)!.properties;
              expect(bad.has(result.id)).toBe(false);
              expect(sim.store.get(result.id)?.properties.hs_notes).toBe(intended.hs_notes);
            }
            for (const error of outcome.errors) {
              for (const id of error.ids) {
                if (!known.includes(id)) {
                  // An unknown id with a malformed value may fail either check first.
                  expect(
                    bad.has(id) ? ['OBJECT_NOT_FOUND', 'VALIDATION_ERROR'] : ['OBJECT_NOT_FOUND'],
                  ).toContain(error.category);
                } else {
                  expect(bad.has(id)).toBe(true);
                  expect(error.category).toBe('VALIDATION_ERROR');
                }
              }
            }
            expect(outcome.status).toBe('COMPLETE');
            expect(outcome.errors.some((e) => e.category === CoreCategory.RETRIES_EXHAUSTED)).toBe(
              false,
            );
          } finally {
            await sim.close();
          }
        },
      ),
      { numRuns: 60, interruptAfterTimeLimit: 90_000 },
    );
  }, 120_000);
});
