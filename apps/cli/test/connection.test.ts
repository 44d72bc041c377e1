// --sim starts the embedded simulator on the API version the command asks for, so a date version's
// answers (no 207: errors folded into a 200) are what the core sees, not v3's under other paths.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/connection.js';
import type { CliIo } from '../src/io.js';

function io(): CliIo {
  return {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function partialUpdateStatus(apiVersion: string): Promise<number> {
  const connection = await connect({ sim: true, apiVersion }, io());
  try {
    const { response } = await connection.client.POST('/batch/update', {
      body: { inputs: [{ id: UNKNOWN_ID, properties: { hs_notes: 'x' } }] },
    });
    return response.status;
  } finally {
    await connection.close();
  }
}

describe('--sim --api-version', () => {
  it('serves v3 by default and the date version asked for: 207 on v3, 200 with errors on 2026-03', async () => {
    expect(await partialUpdateStatus('v3')).toBe(207);
    expect(await partialUpdateStatus('2026-03')).toBe(200);
  });

  it('names the version in the target it prints', async () => {
    const connection = await connect({ sim: true, apiVersion: '2026-03' }, io());
    await connection.close();
    expect(connection.target).toContain('the embedded simulator (2026-03,');
  });
});
