// Issue 12's two benchmarks: jobs on BullMQ over one Redis, several gateway processes sharing one
// HubSpot account's rate budget (multi-replica), and a job surviving the SIGKILL of the worker
// running it (crash-resume). Each process is a real one: a throwaway redis-server, the simulator
// and every gateway in processes of their own, all on 127.0.0.1.
import { performance } from 'node:perf_hooks';
import { hashApiKey } from '@campaigns/gateway';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { startRedisServer, type RedisServer } from '@campaigns/testing';
import { startGatewayProcess, type GatewayProcess } from './gateways.js';
import {
  appliedHistogram,
  exactlyOnce,
  getJob,
  pollJob,
  redisAvailable,
  resultIds,
  sleep,
  startJob,
  updateNow,
  type PropertyUpdate,
} from './job-client.js';
import { idealWallMs, percentile } from './measure.js';
import { startRemoteSim, type RemoteSim } from './remote-sim.js';
import { INTERVAL_MS, LATENCY, LIMIT, MEAN_LATENCY_MS, type ScenarioResult } from './scenarios.js';
import { PROPERTY } from './updates.js';

/** Chunks one job keeps in flight: @campaigns/jobs' default, which the gateway keeps. */
const CHUNK_CONCURRENCY = 8;
const BATCH = 50;

interface Caller {
  name: string;
  key: string;
}

function callers(names: string[]): Caller[] {
  // Keys of the run's own (random), each caller a distinct identity: the job's owner and its
  // fairness key on the budget.
  return names.map((name) => ({
    name,
    key: `bench-${name}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
  }));
}

/** A gateway's settings in these scenarios: production, API-key callers, jobs on `redisUrl`. */
function gatewayEnv(
  sim: RemoteSim,
  redis: RedisServer,
  role: 'api' | 'worker' | 'both',
  keys: Caller[],
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    // Info: the job events are logged at that level, and forwarded to the benchmark (which
    // process runs which job); the rest of the log is discarded in the gateway process.
    LOG_LEVEL: 'info',
    BENCH_JOB_EVENTS: '1',
    AUTH_MODE: 'api-key',
    GATEWAY_API_KEYS: keys
      .map((c) => `${c.name}:${hashApiKey(c.key)}:campaigns:write campaigns:read`)
      .join(','),
    ALLOW_ARBITRARY_DOCUMENTS: 'true',
    // Admission and body size are not what is measured: a 10,000-campaign start is about 1 MB.
    MAX_INFLIGHT_OPERATIONS: '1000',
    MAX_INFLIGHT_PER_CALLER: '1000',
    MAX_BODY_BYTES: String(16 * 1024 * 1024),
    HUBSPOT_BASE_URL: sim.url,
    HUBSPOT_TOKEN: DEFAULT_SIM_TOKEN,
    REDIS_URL: redis.url,
    GATEWAY_ROLE: role,
  };
}

function jobInputs(ids: readonly string[], tag: string): PropertyUpdate[] {
  return ids.map((id, i) => ({ id, properties: [{ name: PROPERTY, value: `${tag} #${i}` }] }));
}

function expectedOf(inputs: readonly PropertyUpdate[], into: Record<string, string> = {}) {
  for (const input of inputs) into[input.id] = input.properties[0]!.value;
  return into;
}

/** Closes every gateway gracefully, SIGKILLing one that has not exited after `graceMs`. */
async function closeAll(gateways: GatewayProcess[], graceMs = 20_000): Promise<void> {
  await Promise.all(
    gateways.map(async (g) => {
      const timer = setTimeout(() => void g.kill(), graceMs);
      await g.close();
      clearTimeout(timer);
    }),
  );
}

function skipped(scenario: string): never {
  // main.ts checks first and keeps the old section; a direct run ends here.
  redisAvailable(scenario);
  throw new Error(`${scenario}: redis-server is not installed`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Three gateway processes (`GATEWAY_ROLE=both`) on one Redis and one simulator account. Four
 * callers each start a job of `perJob` updates, through the replicas in turn, at the same moment;
 * a fifth caller sends a 20-campaign `updateCampaigns` every 2 s (through the replicas in turn)
 * until every job has ended.
 */
export async function multiReplica(
  perJob = 10_000,
  options: { limit?: number; replicas?: number; jobs?: number } = {},
): Promise<ScenarioResult> {
  if (!redisAvailable('multi-replica')) skipped('multi-replica');
  const limit = options.limit ?? LIMIT;
  const replicas = options.replicas ?? 3;
  const jobCount = options.jobs ?? 4;
  const EDIT_SIZE = 20;
  const EDIT_EVERY_MS = 2_000;
  // Ids of the small edits: disjoint from the jobs', a fresh 20 per edit (the pool wraps only
  // after 200 edits, 400 s, long after any edit of the same ids has been answered).
  const EDIT_POOL = 4_000;
  const redis = await startRedisServer();
  const sim = await startRemoteSim({
    campaigns: jobCount * perJob + EDIT_POOL,
    seed: 17,
    rateLimit: { max: limit, intervalMs: INTERVAL_MS },
    latency: LATENCY,
  });
  const people = callers([...Array.from({ length: jobCount }, (_, k) => `job${k + 1}`), 'edits']);
  const editor = people[jobCount]!;
  const gateways: GatewayProcess[] = [];
  try {
    for (let r = 0; r < replicas; r++)
      gateways.push(await startGatewayProcess(gatewayEnv(sim, redis, 'both', people)));
    const expected: Record<string, string> = {};
    const plans = people.slice(0, jobCount).map((caller, k) => {
      const inputs = jobInputs(sim.ids.slice(k * perJob, (k + 1) * perJob), `replicas ${k}`);
      expectedOf(inputs, expected);
      return { caller, replica: k % replicas, inputs };
    });
    const editIds = sim.ids.slice(jobCount * perJob);

    process.stderr.write(
      `  multi-replica: ${jobCount} jobs of ${perJob.toLocaleString('en')} through ${replicas} replicas…\n`,
    );
    // The clock starts as the first start request leaves; the jobs' completedAt (the gateways'
    // clocks, the same machine's) ends it.
    const startedAt = Date.now();
    const startedPerf = performance.now();
    const jobs = await Promise.all(
      plans.map((p) => startJob(gateways[p.replica]!.url, p.caller.key, p.inputs)),
    );
    const startsAnsweredMs = performance.now() - startedPerf;

    let allEnded = false;
    const polls = Promise.all(
      jobs.map((job, k) =>
        pollJob(gateways[plans[k]!.replica]!.url, plans[k]!.caller.key, job.id, () => false, 500),
      ),
    ).then((ended) => {
      allEnded = true;
      return ended;
    });

    // The small edits, on a fixed schedule (not after the previous answer), so a slow answer
    // cannot hide the ones that would have waited behind it.
    const edits: Array<{ sentAt: number; ms?: number; ok?: boolean }> = [];
    const editCalls: Array<Promise<void>> = [];
    for (let k = 0; !allEnded; k++) {
      const wait = startedPerf + EDIT_EVERY_MS / 2 + k * EDIT_EVERY_MS - performance.now();
      if (wait > 0) await Promise.race([sleep(wait), polls]);
      if (allEnded) break;
      const ids = Array.from(
        { length: EDIT_SIZE },
        (_, i) => editIds[(k * EDIT_SIZE + i) % editIds.length]!,
      );
      const inputs = jobInputs(ids, `edit ${k}`);
      expectedOf(inputs, expected);
      const edit: (typeof edits)[number] = { sentAt: Date.now() };
      edits.push(edit);
      const t = performance.now();
      editCalls.push(
        updateNow(gateways[k % replicas]!.url, editor.key, inputs).then(
          (ok) => {
            edit.ms = performance.now() - t;
            edit.ok = ok;
          },
          (error: Error) => {
            edit.ms = performance.now() - t;
            edit.ok = false;
            process.stderr.write(`  multi-replica: edit ${k} failed: ${error.message}\n`);
          },
        ),
      );
    }
    const ended = await polls;
    await Promise.all(editCalls);

    const completedAt = Math.max(...ended.map((j) => Date.parse(j.completedAt ?? '') || NaN));
    const wallMs = completedAt - startedAt;
    // The small edits sent while the jobs ran are work of the same window: each is one request.
    const editsDuring = edits.filter((e) => e.sentAt <= completedAt);
    const requests = jobCount * Math.ceil(perJob / BATCH) + editsDuring.length;
    const leastMs = idealWallMs(requests, limit, INTERVAL_MS, MEAN_LATENCY_MS);
    const efficiency = leastMs / wallMs;
    // The same from the moment a worker first took a job: what taking in the four starts cost
    // (reading, validating and storing 10,000 inputs each) is left out.
    const firstTaken = Math.min(...ended.map((j) => Date.parse(j.startedAt ?? '') || NaN));
    const efficiencyFromFirstTaken = leastMs / (completedAt - firstTaken);
    const stats = await sim.stats();
    const lost = await sim.notApplied(PROPERTY, expected);
    const editMs = editsDuring.map((e) => e.ms!).sort((a, b) => a - b);
    const editStat = {
      n: editMs.length,
      p50: percentile(editMs, 50),
      p95: percentile(editMs, 95),
      max: editMs[editMs.length - 1] ?? NaN,
      failed: edits.filter((e) => !e.ok).length,
    };
    const complete = ended.filter((j) => j.status === 'COMPLETE' && j.failed === 0).length;
    // Which replicas logged the start of a job (more than one: it was handed over).
    const runBy = (id: string) =>
      gateways
        .flatMap((g, r) =>
          g.jobEvents.some((e) => e.type === 'job-started' && e.id === id)
            ? [`replica ${r + 1}`]
            : [],
        )
        .join(', ') || 'unknown';
    const rel = (iso: string | null) => (iso ? (Date.parse(iso) - startedAt) / 1000 : NaN);

    return {
      scenario: 'multi-replica',
      headers: [
        'caller',
        'through',
        'run by',
        'work',
        'status',
        'succeeded',
        'failed',
        'started s',
        'completed s',
        'p50 ms',
        'p95 ms',
        'max ms',
      ],
      rows: [
        ...ended.map((j, k) => [
          plans[k]!.caller.name,
          `replica ${plans[k]!.replica + 1}`,
          runBy(j.id),
          `job of ${perJob.toLocaleString('en')}`,
          j.status,
          j.succeeded,
          j.failed,
          rel(j.startedAt),
          rel(j.completedAt),
          '',
          '',
          '',
        ]),
        [
          editor.name,
          `replicas 1–${replicas} in turn`,
          'the replica asked',
          `${editStat.n} × updateCampaigns of ${EDIT_SIZE}`,
          editStat.failed === 0 ? 'all answered' : `${editStat.failed} failed`,
          editStat.n - editsDuring.filter((e) => !e.ok).length,
          editsDuring.filter((e) => !e.ok).length,
          '',
          '',
          editStat.p50,
          editStat.p95,
          editStat.max,
        ],
      ],
      figures: {
        replicas,
        jobs: jobCount,
        perJob,
        limit,
        intervalMs: INTERVAL_MS,
        latencyMs: LATENCY,
        edits: { size: EDIT_SIZE, everyMs: EDIT_EVERY_MS, ...editStat },
        requests,
        requestsSeen: stats.totalRequests,
        peakInFlight: stats.peakInFlight,
        wallMs,
        leastMs,
        efficiency,
        firstTakenAfterMs: firstTaken - startedAt,
        efficiencyFromFirstTaken,
        startsAnsweredMs,
        received429: stats.rateLimited,
        lostIds: lost.length,
        jobsComplete: complete,
        jobStates: ended.map((j) => ({ ...j, runBy: runBy(j.id) })),
      },
      targets: [
        {
          target: '0 429s at the simulator',
          measured: String(stats.rateLimited),
          met: stats.rateLimited === 0,
        },
        {
          target: 'aggregate efficiency ≥ 0.95 (first start to last COMPLETE)',
          measured: `${efficiency.toFixed(3)} (${seconds(wallMs)} against ${seconds(leastMs)})`,
          met: efficiency >= 0.95,
        },
        {
          target: `all ${jobCount} jobs COMPLETE`,
          measured: `${complete} of ${jobCount} COMPLETE with no failed id`,
          met: complete === jobCount,
        },
        {
          target: "the small edits' p95 ≤ 3 s while the jobs run",
          measured: `p50 ${editStat.p50.toFixed(0)} ms, p95 ${editStat.p95.toFixed(0)} ms over ${editStat.n} edits (${editStat.failed} failed)`,
          met: editStat.p95 <= 3_000 && editStat.failed === 0,
        },
        {
          target: '0 ids lost (the simulator holds every intended value)',
          measured: String(lost.length),
          met: lost.length === 0,
        },
      ],
      notes: [
        `${replicas} gateway processes (NODE_ENV=production, GATEWAY_ROLE=both, REDIS_URL of one throwaway redis-server on 127.0.0.1 without persistence), one simulator process: one HubSpot account, ${limit} requests per ${INTERVAL_MS / 1000} s (rolling), latency ${LATENCY.minMs}–${LATENCY.maxMs} ms. Every gateway's rate budget is the shared one in Redis; any of them may run any job.`,
        `Callers are API keys, each its own identity (job owner and fairness key): ${jobCount} job callers start one job of ${perJob.toLocaleString('en')} updates each at the same moment, through replicas 1, 2, 3, 1, …; a fifth caller sends a ${EDIT_SIZE}-campaign \`updateCampaigns\` every ${EDIT_EVERY_MS / 1000} s on a fixed schedule, through the replicas in turn, until every job has ended. Edits and jobs touch disjoint campaigns.`,
        `Efficiency as everywhere in this file: least wall time ÷ measured. Requests = ${jobCount} × ⌈${perJob.toLocaleString('en')} ÷ 50⌉ + one per edit sent before the last COMPLETE = ${requests}; least = (⌈${requests} ÷ ${limit}⌉ − 1) × ${INTERVAL_MS / 1000} s + ${MEAN_LATENCY_MS} ms = ${seconds(leastMs)}. Measured from the moment the first start request left to the latest \`completedAt\` of the four jobs. The four starts were answered after ${seconds(startsAnsweredMs)} and a worker first took a job after ${seconds(firstTaken - startedAt)}; from then on, efficiency is ${efficiencyFromFirstTaken.toFixed(3)}.`,
        'p50/p95 of the edits: from the request sent to the whole answer read, for the edits sent before the last job ended. "started s" / "completed s": the job\'s `startedAt` / `completedAt` after the clock started.',
      ],
    };
  } finally {
    await closeAll(gateways);
    await sim.close();
    await redis.stop();
  }
}

/**
 * One `api` gateway and two `worker` gateways on one Redis. Worker A runs alone while the job is
 * claimed (so it is A that runs it); worker B starts once the job is PROCESSING, and stands by.
 * At `killAt` of the job done, A is SIGKILLed; B resumes the job from its last checkpoint.
 */
export async function crashResume(
  n = 10_000,
  options: { limit?: number; killAt?: number } = {},
): Promise<ScenarioResult> {
  if (!redisAvailable('crash-resume')) skipped('crash-resume');
  const limit = options.limit ?? LIMIT;
  const killAt = options.killAt ?? 0.4;
  const redis = await startRedisServer();
  const sim = await startRemoteSim(
    {
      campaigns: n,
      seed: 19,
      rateLimit: { max: limit, intervalMs: INTERVAL_MS },
      latency: LATENCY,
    },
    { countApplied: true },
  );
  const [owner] = callers(['owner']) as [Caller];
  const gateways: GatewayProcess[] = [];
  try {
    // Every process is up before the job exists: the time to resume is BullMQ's, not a start-up.
    for (const role of ['api', 'worker', 'worker'] as const)
      gateways.push(await startGatewayProcess(gatewayEnv(sim, redis, role, [owner])));
    const [api, ...workers] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess];

    const inputs = jobInputs(sim.ids.slice(0, n), 'crash');
    const intended = inputs.map((u) => u.id);
    const expected = expectedOf(inputs);
    process.stderr.write(`  crash-resume: a job of ${n.toLocaleString('en')}…\n`);
    const started = performance.now();
    const job = await startJob(api.url, owner.key, inputs);
    // Which worker runs it: the one that logs its start.
    const startedOn = await Promise.race(
      workers.map((w) =>
        w.jobEvent((e) => e.type === 'job-started' && e.id === job.id).then(() => w),
      ),
    );
    const runner = startedOn;
    const standby = workers.find((w) => w !== runner)!;

    const seenAtKill = await pollJob(api.url, owner.key, job.id, (j) => j.done >= n * killAt, 100);
    if (seenAtKill.status !== 'PROCESSING')
      throw new Error(`job ended before the kill: ${JSON.stringify(seenAtKill)}`);
    const killedAt = performance.now();
    await runner.kill();
    process.stderr.write(
      `  crash-resume: SIGKILLed the worker running it (pid ${runner.pid}) at ${seenAtKill.done} done; waiting for the other…\n`,
    );
    const storedAtKill = await getJob(api.url, owner.key, job.id);
    const takenOver = standby
      .jobEvent((e) => e.type === 'job-started' && e.id === job.id)
      .then((e) => ({ event: e, afterMs: performance.now() - killedAt }));
    // Resumed: the first checkpoint after the kill (the stored count moves again).
    const resumed = await pollJob(
      api.url,
      owner.key,
      job.id,
      (j) => j.done > storedAtKill.done,
      100,
    );
    const resumedAfterMs = performance.now() - killedAt;
    const ended = await pollJob(api.url, owner.key, job.id, () => false, 250);
    const endedAfterMs = performance.now() - killedAt;
    const wallMs = performance.now() - started;
    const takeover = await takenOver;
    const endedOnStandby = standby.jobEvents.some((e) => e.type === 'job-ended' && e.id === job.id);

    const { ids, errorIds } = await resultIds(api.url, owner.key, job.id);
    const once = exactlyOnce(intended, ids);
    const lost = await sim.notApplied(PROPERTY, expected);
    const histogram = appliedHistogram(await sim.appliedCounts(intended));
    const bound = CHUNK_CONCURRENCY * BATCH;
    const stats = await sim.stats();
    const leastMs = idealWallMs(Math.ceil(n / BATCH), limit, INTERVAL_MS, MEAN_LATENCY_MS);
    const exact =
      once.missing === 0 && once.repeated === 0 && once.foreign === 0 && errorIds.length === 0;

    return {
      scenario: 'crash-resume',
      headers: [
        'updates',
        'done when killed',
        'stored after kill',
        'final status',
        'succeeded',
        'failed',
        'taken over after s',
        'first checkpoint after s',
        'COMPLETE after kill s',
        'ids lost',
        'results: missing / repeated',
        'HubSpot saw twice',
        'bound',
        'wall s',
      ],
      rows: [
        [
          n,
          seenAtKill.done,
          storedAtKill.done,
          ended.status,
          ended.succeeded,
          ended.failed,
          takeover.afterMs / 1000,
          resumedAfterMs / 1000,
          endedAfterMs / 1000,
          lost.length,
          `${once.missing} / ${once.repeated}`,
          histogram.twice + histogram.more,
          bound,
          wallMs / 1000,
        ],
      ],
      figures: {
        n,
        limit,
        intervalMs: INTERVAL_MS,
        latencyMs: LATENCY,
        killAt,
        doneWhenKilled: seenAtKill.done,
        storedAfterKill: storedAtKill.done,
        doneAtFirstCheckpointAfterKill: resumed.done,
        takenOverAfterMs: takeover.afterMs,
        takeoverEvent: takeover.event,
        resumedAfterMs,
        endedAfterMs,
        endedOnTheOtherWorker: endedOnStandby,
        wallMs,
        leastMs,
        finalState: ended,
        results: { listed: ids.length, ...once, errorIds: errorIds.length },
        lostIds: lost.length,
        applied: histogram,
        repeatBound: { chunkConcurrency: CHUNK_CONCURRENCY, batch: BATCH, ids: bound },
        received429: stats.rateLimited,
        requestsSeen: stats.totalRequests,
      },
      targets: [
        {
          target: 'the job finishes COMPLETE on the other worker',
          measured: `${ended.status}, ${ended.succeeded} succeeded, ${ended.failed} failed; resumed (${takeover.event.pending} ids left) and ended by ${endedOnStandby ? 'the other worker' : 'NOT the other worker'}`,
          met: ended.status === 'COMPLETE' && ended.succeeded === n && endedOnStandby,
        },
        { target: '0 ids lost', measured: String(lost.length), met: lost.length === 0 },
        {
          target: "each id exactly once in the job's results (paged through)",
          measured: `${ids.length} listed: ${once.missing} missing, ${once.repeated} repeated, ${once.foreign} not the job's, ${errorIds.length} in errors${once.inOrder ? ', input order' : ', NOT in input order'}`,
          met: exact,
        },
        {
          target: 'final simulator state as intended for every id',
          measured: `${n - lost.length} of ${n}`,
          met: lost.length === 0,
        },
        {
          target: `ids HubSpot saw twice ≤ chunks in flight × 50 (${CHUNK_CONCURRENCY} × 50 = ${bound})`,
          measured: `${histogram.twice} twice, ${histogram.more} three times or more, ${histogram.never} never`,
          met: histogram.twice + histogram.more <= bound && histogram.more === 0,
        },
      ],
      notes: [
        `One gateway with GATEWAY_ROLE=api (takes the job and answers the polls) and two with GATEWAY_ROLE=worker, all NODE_ENV=production on one throwaway redis-server (127.0.0.1, no persistence); one simulator process: ${limit} requests per ${INTERVAL_MS / 1000} s, latency ${LATENCY.minMs}–${LATENCY.maxMs} ms.`,
        `Which process runs the job: both workers are up before the job is started; the one whose log says \`job-started\` for it runs it (the benchmark's gateway processes forward their job events over IPC, the rest of their log is discarded). The job's progress is polled every 100 ms through the api gateway; at ${killAt * 100}% done that worker gets SIGKILL. The other is already running, so the time to resume is BullMQ's with the gateway's defaults (JOB_LOCK_MS, 10 s: the dead worker's lock expires unrenewed within 10 s, a stalled check every 5 s puts the job back, the other worker takes it), not a process start. "taken over after": SIGKILL to the other worker's \`job-started\` (resumed); "first checkpoint after": to the first stored chunk after the kill.`,
        `"stored after kill": what the job had checkpointed, read right after the worker died. "HubSpot saw twice": the simulator counts every update its store applies, per id (the benchmark's simulator process wraps its store; no test hook in the simulator itself). A chunk is 50 ids and a job keeps up to ${CHUNK_CONCURRENCY} in flight (@campaigns/jobs' chunkConcurrency default), so a crash can repeat at most ${bound}.`,
        `Results paged through \`campaignUpdateJob(id) { results(first: 1000, after) }\` to the end and compared with the input ids. Wall time (start to COMPLETE) ${seconds(wallMs)}, against ${seconds(leastMs)} for the same job without a crash.`,
      ],
    };
  } finally {
    await closeAll(gateways);
    await sim.close();
    await redis.stop();
  }
}
