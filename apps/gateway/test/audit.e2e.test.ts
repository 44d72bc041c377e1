// The audit trail: one line per updateCampaigns that reached the engine, with its ids when they
// fit the bound (else followed by `.ids` lines), in a file (0600) or on the log stream; who, what
// (names, values only when asked), the result of every id.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  AUDIT_IDS_PER_LINE,
  type AuditIdsLine,
  type AuditLine,
  type JobAuditLine,
} from '../src/audit.js';
import { hashApiKey } from '../src/auth.js';
import { startJob, untilEnded } from './jobs-helpers.js';
import {
  CancelCampaignUpdateDocument,
  ReadCampaignsDocument,
  UpdateCampaignsDocument,
} from '@campaigns/graphql';
import { graphqlErrors, HUBSPOT_TOKEN, notesInputs, startStack, type Stack } from './stack.js';

const dir = mkdtempSync(join(tmpdir(), 'gateway-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
type Line = (AuditLine | AuditIdsLine) & { level: string; time: string; name: string; msg: string };
type UpdateLine = Extract<Line, { event: 'campaigns.update' }>;
type IdsLine = Extract<Line, { event: 'campaigns.update.ids' }>;
/** The first lines of changes, each with its `.ids` lines (joined on `auditId`). */
const changes = (lines: Line[]): Array<{ line: UpdateLine; parts: IdsLine[] }> =>
  lines
    .filter((l): l is UpdateLine => l.event === 'campaigns.update')
    .map((line) => ({
      line,
      parts: lines.filter(
        (l): l is IdsLine => l.event === 'campaigns.update.ids' && l.auditId === line.auditId,
      ),
    }));
const auditLines = (logs: string[]): Line[] =>
  logs.map((l) => JSON.parse(l) as Line & { audit?: boolean }).filter((l) => l.audit === true);
const fileLines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

describe('AUDIT_LOG=<file>', () => {
  it('appends one line per change to a 0600 file: who, names without values, the result of each id (207)', async () => {
    const path = join(dir, 'partial.log');
    stack = await startStack({ env: { AUDIT_LOG: path } });
    const [a, b] = stack.sim.store.list().map((c) => c.id);
    const inputs = [
      { id: a!, properties: [{ name: 'hs_notes', value: 'secret plan A' }] },
      { id: UNKNOWN, properties: [{ name: 'hs_notes', value: 'secret plan B' }] },
      {
        id: b!,
        properties: [
          { name: 'hs_notes', value: 'secret plan C' },
          { name: 'hs_goal', value: 'secret goal' },
        ],
      },
    ];
    const { updateCampaigns } = await stack
      .client({ 'x-request-id': 'audit-partial-1' })
      .request(UpdateCampaignsDocument, { inputs });
    expect(updateCampaigns.numErrors).toBe(1);
    await stack.close();
    stack = undefined;

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('secret');
    const lines = fileLines(path);
    // A small change: one line, its ids on it.
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toEqual({
      ...pick(line!),
      level: 'info',
      name: 'audit',
      audit: true,
      event: 'campaigns.update',
      auditId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      reqId: 'audit-partial-1',
      caller: { subject: 'anonymous', method: 'none' },
      result: 'partial',
      status: 'COMPLETE',
      campaigns: 3,
      succeeded: 2,
      failed: 1,
      durationMs: expect.any(Number),
      groups: 2,
      counts: [
        { properties: ['hs_notes'], campaigns: 2 },
        { properties: ['hs_goal', 'hs_notes'], campaigns: 1 },
      ],
      errorCounts: [{ category: 'OBJECT_NOT_FOUND', campaigns: 1 }],
      parts: 0,
      changes: [
        { properties: ['hs_notes'], ids: [a, UNKNOWN] },
        { properties: ['hs_goal', 'hs_notes'], ids: [b] },
      ],
      ok: [a, b],
      errors: [{ category: 'OBJECT_NOT_FOUND', ids: [UNKNOWN] }],
    });
    expect(line!.msg).toBe('campaigns updated');
    expect(Date.parse(line!.time)).not.toBeNaN();
    // The audit trail is not the log: the file holds nothing else.
    expect(text).not.toContain('request completed');
  });

  it('appends across restarts, and records values only with AUDIT_LOG_VALUES=true (secrets scrubbed)', async () => {
    const path = join(dir, 'values.log');
    for (const values of ['false', 'true']) {
      stack = await startStack({ env: { AUDIT_LOG: path, AUDIT_LOG_VALUES: values } });
      const id = stack.sim.store.list()[0]!.id;
      await stack.client().request(UpdateCampaignsDocument, {
        inputs: [
          {
            id,
            properties: [{ name: 'hs_notes', value: `visible value, token ${HUBSPOT_TOKEN}` }],
          },
        ],
      });
      await stack.close();
      stack = undefined;
    }
    // Each a one-line change: its ids (with values or not) on the first line.
    const [off, on] = changes(fileLines(path)).map((c) => {
      expect(c.line.parts).toBe(0);
      expect(c.parts).toEqual([]);
      return c.line;
    });
    expect(off!.changes).toEqual([{ properties: ['hs_notes'], ids: [expect.any(String)] }]);
    expect(off!.values).toBeUndefined();
    expect(JSON.stringify(off)).not.toContain('visible value');
    expect(on!.changes).toBeUndefined();
    expect(on!.values).toEqual([
      { id: expect.any(String), properties: { hs_notes: 'visible value, token [REDACTED]' } },
    ]);
    expect(readFileSync(path, 'utf8')).not.toContain(HUBSPOT_TOKEN);
  });

  it('stops the start with a message naming AUDIT_LOG when the file cannot be opened', async () => {
    await expect(
      startStack({ env: { AUDIT_LOG: join(dir, 'no-such-dir', 'audit.log') } }),
    ).rejects.toThrow(/AUDIT_LOG: cannot open .*no-such-dir/);
  });
});

describe('jobs in the audit trail', () => {
  it('writes a line when a job is queued, when a cancel is asked, and when the job ends: counts, no values', async () => {
    const path = join(dir, 'jobs.log');
    stack = await startStack({ env: { AUDIT_LOG: path } });
    const [a, b] = stack.sim.store.list().map((c) => c.id);
    const inputs = [
      { id: a!, properties: [{ name: 'hs_notes', value: 'secret job plan A' }] },
      { id: UNKNOWN, properties: [{ name: 'hs_notes', value: 'secret job plan B' }] },
      { id: b!, properties: [{ name: 'hs_goal', value: 'secret goal' }] },
      { id: a!, properties: [{ name: 'hs_notes', value: 'secret job plan A2' }] },
    ];
    const client = stack.client({ 'x-request-id': 'audit-job-1' });
    const job = await startJob(client, inputs);
    await untilEnded(client, job.id);
    const { cancelCampaignUpdate } = await stack
      .client({ 'x-request-id': 'audit-job-2' })
      .request(CancelCampaignUpdateDocument, { id: job.id });
    expect(cancelCampaignUpdate.status).toBe('COMPLETE');
    await stack.close();
    stack = undefined;

    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('secret');
    expect(text).not.toContain(HUBSPOT_TOKEN);
    const lines = fileLines(path) as unknown as Array<
      (JobAuditLine | AuditIdsLine) & { msg: string }
    >;
    expect(lines.map((l) => l.event)).toEqual([
      'campaigns.job.start',
      'campaigns.job.end',
      'campaigns.job.cancel',
    ]);
    const [start, end, cancel] = lines;
    expect(start).toEqual({
      ...pick(start!),
      audit: true,
      event: 'campaigns.job.start',
      reqId: 'audit-job-1',
      caller: { subject: 'anonymous', method: 'none' },
      job: job.id,
      campaigns: 4,
      total: 3,
      groups: 2,
      counts: [
        { properties: ['hs_notes'], campaigns: 2 },
        { properties: ['hs_goal'], campaigns: 1 },
      ],
      // Its ids fit with the counts: on this line, no `campaigns.job.ids` line.
      parts: 0,
      changes: [
        { properties: ['hs_notes'], ids: [a, UNKNOWN] },
        { properties: ['hs_goal'], ids: [b] },
      ],
    });
    expect(end).toEqual({
      ...pick(end!),
      audit: true,
      event: 'campaigns.job.end',
      job: job.id,
      owner: 'anonymous',
      result: 'partial',
      status: 'COMPLETE',
      total: 3,
      succeeded: 2,
      failed: 1,
      durationMs: expect.any(Number),
    });
    expect(cancel).toEqual({
      ...pick(cancel!),
      audit: true,
      event: 'campaigns.job.cancel',
      reqId: 'audit-job-2',
      caller: { subject: 'anonymous', method: 'none' },
      job: job.id,
      owner: 'anonymous',
      status: 'COMPLETE',
      total: 3,
      done: 3,
    });
  });
});

/** The logger's own fields of a line (level, time, pid, name, msg, ...), to compare the rest. */
function pick(line: object): Record<string, unknown> {
  const own = ['level', 'time', 'pid', 'hostname', 'name', 'msg', 'service', 'version'];
  return Object.fromEntries(Object.entries(line).filter(([key]) => own.includes(key)));
}

describe('AUDIT_LOG=stdout (default)', () => {
  it('writes on the log stream, marked audit, whatever LOG_LEVEL; no line for refusals or reads', async () => {
    stack = await startStack({ env: { LOG_LEVEL: 'error' } });
    const [a] = stack.sim.store.list().map((c) => c.id);

    await graphqlErrors(
      stack.client().request(UpdateCampaignsDocument, {
        inputs: [{ id: a!, properties: [{ name: 'Not A Name', value: 'x' }] }],
      }),
    );
    await stack.client().request(ReadCampaignsDocument, { ids: [a!] });
    expect(auditLines(stack.logs)).toEqual([]);

    await stack.client().request(UpdateCampaignsDocument, { inputs: notesInputs([a!]) });
    const lines = auditLines(stack.logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      name: 'audit',
      event: 'campaigns.update',
      result: 'complete',
      errorCounts: [],
      parts: 0,
      changes: [{ properties: ['hs_notes'], ids: [a] }],
      ok: [a],
    });
    expect(lines[0]).not.toHaveProperty('errors');
    // LOG_LEVEL=error: nothing but the audit line.
    expect(stack.logs).toHaveLength(1);
  });

  it('records a change whose engine call failed (HubSpot may have applied part of it)', async () => {
    stack = await startStack({
      env: { NODE_ENV: 'production', ALLOW_ARBITRARY_DOCUMENTS: 'true' },
      deps: {
        fetch: async (input, init) => {
          const request = new Request(input, init);
          return request.url.endsWith('/batch/update')
            ? Response.json({ status: 'COMPLETE', results: 'not-a-list' })
            : fetch(request);
        },
      },
    });
    const id = stack.sim.store.list()[0]!.id;
    await graphqlErrors(
      stack.client().request(UpdateCampaignsDocument, { inputs: notesInputs([id]) }),
    );
    const [{ line, parts }] = changes(auditLines(stack.logs)) as [ReturnType<typeof changes>[0]];
    expect(line).toMatchObject({
      result: 'error',
      campaigns: 1,
      error: { type: 'TypeError' },
      parts: 0,
    });
    expect(parts).toEqual([]);
    expect(line.changes).toEqual([{ properties: ['hs_notes'], ids: [id] }]);
    expect(line.ok).toBeUndefined();
  });

  it('lists a 1,500-campaign mutation (MAX_CAMPAIGNS_PER_MUTATION raised) on lines of at most AUDIT_IDS_PER_LINE ids', async () => {
    stack = await startStack({
      sim: { campaigns: 1500 },
      env: { MAX_CAMPAIGNS_PER_MUTATION: '1500' },
    });
    const ids = stack.sim.store.list().map((c) => c.id);
    expect(ids).toHaveLength(1500);
    await stack.client().request(UpdateCampaignsDocument, { inputs: notesInputs(ids) });
    const raw = stack.logs.filter((l) => l.includes('"audit":true'));
    const [{ line, parts }] = changes(raw.map((l) => JSON.parse(l) as Line)) as [
      ReturnType<typeof changes>[0],
    ];
    // Changes and results: 3,000 ids and a property name on the lines of changes: four lines.
    expect(raw).toHaveLength(5);
    expect(line).toMatchObject({
      campaigns: 1500,
      counts: [{ properties: ['hs_notes'], campaigns: 1500 }],
      parts: 4,
    });
    expect(raw[0]!.length).toBeLessThan(1000);
    expect(line).not.toHaveProperty('changes');
    expect(line).not.toHaveProperty('ok');
    for (const l of raw.slice(1)) expect(l.length).toBeLessThan(AUDIT_IDS_PER_LINE * 40 + 1000);
    expect(parts.map((p) => p.part)).toEqual([1, 2, 3, 4]);
    expect(parts.flatMap((p) => p.changes?.flatMap((g) => g.ids) ?? [])).toEqual(ids);
    expect(parts.flatMap((p) => p.ok ?? [])).toEqual(ids);
  });

  it('names JWT and API-key callers by their subject and method', async () => {
    const SECRET = 'an-audit-test-jwt-secret-of-32-chars-or-more';
    const KEY = 'gk_audit_0123456789abcdef0123456789abcdef';
    stack = await startStack({
      env: {
        AUTH_MODE: 'jwt,api-key',
        JWT_SECRET: SECRET,
        JWT_ISSUER: 'https://auth.example.test/',
        JWT_AUDIENCE: 'campaigns-gateway',
        GATEWAY_API_KEYS: `etl:${hashApiKey(KEY)}:campaigns:write campaigns:read`,
      },
    });
    const id = stack.sim.store.list()[0]!.id;
    const jwt = await new SignJWT({ scope: 'campaigns:write', jti: 'audit-jti-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://auth.example.test/')
      .setAudience('campaigns-gateway')
      .setSubject('user-7')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));

    await stack
      .client({ authorization: `Bearer ${jwt}` })
      .request(UpdateCampaignsDocument, { inputs: notesInputs([id]) });
    await stack
      .client({ 'x-api-key': KEY })
      .request(UpdateCampaignsDocument, { inputs: notesInputs([id]) });

    expect(changes(auditLines(stack.logs)).map((c) => c.line.caller)).toEqual([
      { subject: 'user-7', method: 'jwt' },
      { subject: 'api-key:etl', method: 'api-key' },
    ]);
    const all = stack.logs.join('');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(jwt);
  });
});

describe('AUDIT_LOG=off', () => {
  it('writes no audit line', async () => {
    stack = await startStack({ env: { AUDIT_LOG: 'off' } });
    const id = stack.sim.store.list()[0]!.id;
    await stack.client().request(UpdateCampaignsDocument, { inputs: notesInputs([id]) });
    expect(auditLines(stack.logs)).toEqual([]);
  });
});
