// A Gateway for unit tests: answers each request with `answer(document, variables)` and records
// what was asked, so tests can count round trips and see which documents were sent.
import { print } from 'graphql';
import type { Gateway } from '../src/api';

export interface FakeCall {
  name: string;
  text: string;
  variables: Record<string, unknown>;
}

export function fakeGateway(
  answer: (name: string, variables: Record<string, unknown>) => unknown,
  options: { subscribe?: Gateway['subscribe']; credentialed?: boolean } = {},
): Gateway & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  return {
    calls,
    credentialed: options.credentialed ?? false,
    request: async (document, variables) => {
      const text = print(document);
      const name = /(?:query|mutation) (\w+)/.exec(text)?.[1] ?? '';
      const vars = variables as Record<string, unknown>;
      calls.push({ name, text, variables: vars });
      return answer(name, vars) as never;
    },
    subscribe:
      options.subscribe ??
      (() => {
        throw new Error('no stream in this test');
      }),
  };
}
