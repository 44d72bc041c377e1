import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesceUpdates } from '../src/coalesce.js';
import { checkId, checkUpdateInput, InvalidInputsError } from '../src/validate.js';

describe('coalesceUpdates', () => {
  it('merges repeated ids, later values winning per property, reported at the first position', () => {
    const { updates, coalesced } = coalesceUpdates([
      { index: 0, input: { id: 'a', properties: { hs_name: 'A1', hs_goal: 'g' } } },
      { index: 1, input: { id: 'b', properties: { hs_name: 'B' } } },
      { index: 2, input: { id: 'a', properties: { hs_name: 'A2', hs_notes: '' } } },
    ]);
    expect(updates).toEqual([
      { id: 'a', properties: { hs_name: 'A2', hs_goal: 'g', hs_notes: '' } },
      { id: 'b', properties: { hs_name: 'B' } },
    ]);
    expect(coalesced).toEqual([{ id: 'a', indices: [0, 2] }]);
  });

  it("never changes the caller's objects", () => {
    const first = { id: 'a', properties: { hs_name: 'A1' } };
    const { updates } = coalesceUpdates([
      { index: 0, input: first },
      { index: 1, input: { id: 'a', properties: { hs_name: 'A2' } } },
    ]);
    expect(first.properties.hs_name).toBe('A1');
    expect(updates[0]?.properties.hs_name).toBe('A2');
  });

  it('yields each id once, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.string() })),
        (rows) => {
          const { updates } = coalesceUpdates(
            rows.map((r, index) => ({ index, input: { id: r.id, properties: { hs_name: r.v } } })),
          );
          expect(new Set(updates.map((u) => u.id)).size).toBe(updates.length);
          for (const u of updates) {
            const last = [...rows].reverse().find((r) => r.id === u.id)!;
            expect(u.properties.hs_name).toBe(last.v);
          }
        },
      ),
    );
  });
});

describe('checkUpdateInput', () => {
  it('accepts a well-formed input, "" included', () => {
    expect(
      checkUpdateInput({ id: 'edb9b6c3-d2e2', properties: { hs_name: 'x', hs_notes: '' } }, 0),
    ).toEqual([]);
  });

  it('names the index, id and field of every problem', () => {
    const problems = checkUpdateInput({ id: 'c1', properties: { 'Bad Name': 'x', hs_goal: 5 } }, 7);
    expect(problems).toEqual([
      expect.objectContaining({
        index: 7,
        id: 'c1',
        field: 'properties.Bad Name',
        message: expect.stringMatching(/not a HubSpot property name/),
      }),
      expect.objectContaining({
        index: 7,
        id: 'c1',
        field: 'properties.hs_goal',
        message: expect.stringMatching(/must be a string.*got number/),
      }),
    ]);
  });

  it('rejects empty properties, non-objects and bad ids', () => {
    expect(checkUpdateInput({ id: 'c1', properties: {} }, 0)[0]?.message).toMatch(
      /nothing to update/,
    );
    expect(checkUpdateInput(null, 3)[0]).toMatchObject({
      index: 3,
      message: expect.stringMatching(/must be an object/),
    });
    expect(checkId('', 0)[0]?.message).toBe('id is empty');
    expect(checkId(42, 0)[0]?.message).toMatch(/must be a string, got number/);
    expect(checkId('a b', 0)[0]?.message).toMatch(/whitespace/);
  });

  it('summarises problems in InvalidInputsError', () => {
    const error = new InvalidInputsError(
      checkUpdateInput({ id: '', properties: { hs_name: 'x' } }, 2),
    );
    expect(error.message).toMatch(/^1 invalid input, nothing was sent: input 2 id: id is empty$/);
  });
});

describe('names that reach Object.prototype', () => {
  it('checkPropertyName refuses __proto__, constructor and prototype, and accepts HubSpot names', async () => {
    const { checkPropertyName } = await import('../src/validate.js');
    expect(checkPropertyName('hs_notes')).toBeUndefined();
    expect(checkPropertyName('__proto__')).toMatch(/"__proto__" is reserved/);
    expect(checkPropertyName('constructor')).toMatch(/"constructor" is reserved/);
    expect(checkPropertyName('prototype')).toMatch(/reserved/);
    expect(checkPropertyName('toString')).toMatch(/not a HubSpot property name/);
    expect(checkPropertyName('x'.repeat(5000))!.length).toBeLessThan(300);
  });

  it('checkUpdateInput refuses a constructor property and an own __proto__ key (JSON input)', () => {
    const parsed = JSON.parse(
      '{"id":"c1","properties":{"__proto__":"x","constructor":"y","hs_notes":"ok"}}',
    ) as unknown;
    expect(checkUpdateInput(parsed, 0).map((p) => p.field)).toEqual([
      'properties.__proto__',
      'properties.constructor',
    ]);
  });

  it('coalesceUpdates keeps an own __proto__ key as a key, never as the prototype', () => {
    const { updates } = coalesceUpdates([
      { index: 0, input: { id: 'a', properties: { hs_name: 'A' } } },
      {
        index: 1,
        input: { id: 'a', properties: JSON.parse('{"__proto__":{"polluted":"yes"}}') as never },
      },
    ]);
    const merged = updates[0]!.properties;
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect((merged as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(merged))).toEqual(
      JSON.parse('{"hs_name":"A","__proto__":{"polluted":"yes"}}'),
    );
  });
});
