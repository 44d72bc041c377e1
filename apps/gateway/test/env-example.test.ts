// .env.example at the repository root lists every setting the gateway reads, and the values it
// shows are the defaults: setting any one of them changes nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../src/config.js';

const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
const listed = new Map<string, string>();
for (const line of text.split('\n')) {
  const match = /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  if (match) listed.set(match[1]!, match[2]!);
}

describe('.env.example', () => {
  it('lists every setting of the configuration schema, and nothing else', () => {
    expect([...listed.keys()].filter((name) => !SETTING_NAMES.includes(name))).toEqual([]);
    expect(SETTING_NAMES.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists each setting once', () => {
    const names = text
      .split('\n')
      .map((line) => /^#?([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter(Boolean);
    expect(names.length).toBe(new Set(names).size);
  });

  it('shows the defaults: each value it gives configures exactly what leaving it unset does', () => {
    const defaults = loadConfig({});
    const withValue = [...listed].filter(([, value]) => value !== '');
    expect(withValue.length).toBeGreaterThan(30);
    for (const [name, value] of withValue) {
      expect({ name, config: loadConfig({ [name]: value }) }).toEqual({ name, config: defaults });
    }
  });
});
