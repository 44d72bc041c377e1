// The page checks ids and property names with the engine's own functions, through the core's
// browser-safe entry `@campaigns/core/validate`: the same functions the gateway runs, from a
// module that pulls nothing node-only (or the engine) into the bundle.
import { readFile } from 'node:fs/promises';
import * as core from '@campaigns/core';
import { describe, expect, it } from 'vitest';
import * as rules from '../src/rules';

describe('the rules the page checks', () => {
  it('are the functions of the core the gateway runs', () => {
    expect(rules.checkIdValue).toBe(core.checkIdValue);
    expect(rules.checkPropertyName).toBe(core.checkPropertyName);
  });

  it('come from the `./validate` entry, whose module imports no package and no Node module', async () => {
    const corePackage = new URL('../../../packages/campaigns-core/', import.meta.url);
    const manifest = JSON.parse(await readFile(new URL('package.json', corePackage), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
    };
    expect(manifest.exports['./validate']).toEqual({
      '@campaigns/source': './src/validate.ts',
      types: './dist/validate.d.ts',
      default: './dist/validate.js',
    });
    const source = await readFile(new URL('src/validate.ts', corePackage), 'utf8');
    const specifiers = [
      ...source.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)/g),
    ].map((m) => m[1] ?? m[2]);
    expect(specifiers.filter((s) => !s!.startsWith('./'))).toEqual([]);
  });
});
