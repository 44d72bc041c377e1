// The single-pass checks of validate.ts decide exactly as the old per-input ones did (kept in
// validate-reference.ts): the same problems, in the same order, with the same index, id, field
// and message, for any input, hostile ones included; and they read an input the same way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCreateInputs,
  checkId,
  checkIdValue,
  checkIds,
  checkPropertyName,
  checkUpdateInput,
  checkUpdateInputs,
} from '../src/validate.js';
import {
  referenceCheckCreateInputs,
  referenceCheckId,
  referenceCheckIds,
  referenceCheckPropertyName,
  referenceCheckUpdateInput,
  referenceCheckUpdateInputs,
} from './validate-reference.js';

const hugeString = fc.constantFrom('a'.repeat(101), 'x'.repeat(100), 'b'.repeat(200_000));

/** Ids that are fine, and every way one can be wrong. */
const anyId = fc.oneof(
  fc.uuid(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    ' ',
    '  a',
    'a b',
    'a\tb',
    '\u0000',
    'a\u007f',
    '\u00a0x',
    '\ufeffx',
    'x\u2028',
  ),
  hugeString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, 0n, Symbol('id')),
  fc.anything(),
);

/** Property names HubSpot knows, and names that are wrong or reach a prototype. */
const anyName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'Bad Name',
    'HS_NAME',
    '1a',
    '_a',
    '',
    'a'.repeat(100),
    'a'.repeat(101),
  ),
  fc.string(),
  hugeString,
);

const anyValue = fc.oneof(
  fc.string(),
  fc.constant(''),
  hugeString,
  fc.constantFrom(null, undefined, 0, false, 0n),
  fc.anything(),
);

/** Properties as JSON.parse makes them: an own `__proto__` key stays a key. */
const parsedProperties = fc
  .array(fc.tuple(anyName, fc.oneof(fc.string(), fc.integer(), fc.constant(null))), {
    maxLength: 6,
  })
  .map(
    (pairs) =>
      JSON.parse(
        `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
      ) as unknown,
  );

const anyProperties = fc.oneof(
  fc.dictionary(anyName, anyValue, { maxKeys: 6 }),
  fc.dictionary(anyName, anyValue, { maxKeys: 6, noNullPrototype: false }),
  parsedProperties,
  fc.constantFrom({}, [], ['a'], null, undefined, 'hs_name', 5, new Map([['hs_name', 'x']])),
  fc.anything(),
);

/** Update inputs: well-formed, fields missing, extra or wrong, and not objects at all. */
const anyInput = fc.oneof(
  fc.record({
    id: fc.uuid(),
    properties: fc.dictionary(fc.stringMatching(/^hs_[a-z]{1,8}$/), fc.string(), {
      minKeys: 1,
      maxKeys: 4,
    }),
  }),
  fc.record({ id: anyId, properties: anyProperties }, { requiredKeys: [] }),
  fc.record({ id: anyId, properties: anyProperties, extra: fc.anything() }),
  fc.anything(),
  parsedProperties.map((properties) => ({ id: 'c1', properties })),
  fc.constant(JSON.parse('{"id":"c1","properties":{"__proto__":"x","hs_notes":"ok"}}') as unknown),
  fc.constant(JSON.parse('{"__proto__":{"id":"c1"},"properties":{"hs_notes":"ok"}}') as unknown),
);

const runs = { numRuns: 2_000 };

/**
 * What a check came to: its answer, or the error it threw (both the old and the new one throw
 * when showing an id means calling a `toString` that throws or is not a function).
 */
function outcome<T>(check: () => T): { answer: T } | { threw: string } {
  try {
    return { answer: check() };
  } catch (error) {
    return { threw: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe('the single-pass input checks decide as the old ones did', () => {
  it('checkUpdateInputs: the same problems, in order, for any inputs', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 20 }), (inputs) => {
        expect(outcome(() => checkUpdateInputs(inputs))).toStrictEqual(
          outcome(() => referenceCheckUpdateInputs(inputs)),
        );
      }),
      runs,
    );
  });

  it('checkUpdateInput: the same problems for one input at any index', () => {
    fc.assert(
      fc.property(anyInput, fc.nat(), (input, index) => {
        expect(outcome(() => checkUpdateInput(input, index))).toStrictEqual(
          outcome(() => referenceCheckUpdateInput(input, index)),
        );
      }),
      runs,
    );
  });

  it('checkCreateInputs: the same problems, under the same made-up ids', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            anyInput,
            anyProperties.map((properties) => ({ properties })),
          ),
          {
            maxLength: 20,
          },
        ),
        (inputs) => {
          expect(outcome(() => checkCreateInputs(inputs))).toStrictEqual(
            outcome(() => referenceCheckCreateInputs(inputs)),
          );
        },
      ),
      runs,
    );
  });

  it('checkIds, checkId, checkIdValue and checkPropertyName: the same answers', () => {
    fc.assert(
      fc.property(fc.array(anyId, { maxLength: 20 }), fc.nat(), anyName, (ids, index, name) => {
        expect(outcome(() => checkIds(ids))).toStrictEqual(outcome(() => referenceCheckIds(ids)));
        for (const id of ids) {
          const before = outcome(() => referenceCheckId(id, index));
          expect(outcome(() => checkId(id, index))).toStrictEqual(before);
          if ('answer' in before) expect(checkIdValue(id)).toBe(before.answer[0]?.message);
        }
        expect(checkPropertyName(name)).toBe(referenceCheckPropertyName(name));
        expect(checkPropertyName(ids[0])).toBe(referenceCheckPropertyName(ids[0]));
      }),
      runs,
    );
  });

  it('reads an input as the old check did: the same fields, keys and values, in the same order', () => {
    /** The input behind proxies that log every read: of itself, its properties, an object id. */
    const logged = (input: unknown, log: string[]) => {
      const watch = (target: object, name: string): object =>
        new Proxy(target, {
          get(t, key, receiver) {
            log.push(`${name}.get ${String(key)}`);
            const value: unknown = Reflect.get(t, key, receiver);
            return key === 'properties' && typeof value === 'object' && value !== null
              ? watch(value, 'properties')
              : value;
          },
          ownKeys(t) {
            log.push(`${name}.ownKeys`);
            return Reflect.ownKeys(t);
          },
          getOwnPropertyDescriptor(t, key) {
            log.push(`${name}.descriptor ${String(key)}`);
            return Reflect.getOwnPropertyDescriptor(t, key);
          },
        });
      return typeof input === 'object' && input !== null ? watch(input, 'input') : input;
    };
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 5 }), (inputs) => {
        const oldLog: string[] = [];
        const newLog: string[] = [];
        const before = outcome(() =>
          referenceCheckUpdateInputs(inputs.map((i) => logged(i, oldLog))),
        );
        const after = outcome(() => checkUpdateInputs(inputs.map((i) => logged(i, newLog))));
        expect(after).toStrictEqual(before);
        expect(newLog).toEqual(oldLog);
      }),
      { numRuns: 500 },
    );
  });

  it('an id whose toString changes on each call is shown as each problem saw it, as before', () => {
    const counter = () => {
      let calls = 0;
      return { toString: () => `call ${++calls}` };
    };
    const input = () => ({ id: counter(), properties: { 'Bad Name': 1 } });
    expect(checkUpdateInputs([input()])).toStrictEqual(referenceCheckUpdateInputs([input()]));
  });

  it('counts a hole in the inputs as an input that is not an object (the old flatMap skipped it)', () => {
    // eslint-disable-next-line no-sparse-arrays
    const inputs = [{ id: 'a', properties: { hs_name: 'A' } }, , { id: 'b', properties: {} }];
    expect(checkUpdateInputs(inputs)).toStrictEqual([
      ...referenceCheckUpdateInput(undefined, 1),
      ...referenceCheckUpdateInput(inputs[2], 2),
    ]);
    // eslint-disable-next-line no-sparse-arrays
    expect(checkIds(['a', , 'b']).map((p) => p.index)).toEqual([1]);
  });
});
