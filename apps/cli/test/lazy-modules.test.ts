// What a run loads only when it needs it: every module loaded counts in the process's memory.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const report = fileURLToPath(new URL('../src/report.ts', import.meta.url));

/** Whether importing `file` (in a fresh process) loads Node's built-in `name`. */
function loads(file: string, name: string): boolean {
  const out = execFileSync(
    process.execPath,
    [
      '--conditions=@campaigns/source',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(file)}); console.log(process.moduleLoadList.includes(${JSON.stringify(`NativeModule ${name}`)}));`,
    ],
    { encoding: 'utf8' },
  );
  return out.trim() === 'true';
}

describe('modules loaded on demand', () => {
  it('the report module loads node:readline only to read a --resume report', () => {
    expect(loads(report, 'readline')).toBe(false);
  });
});
