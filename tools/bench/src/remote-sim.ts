// The parent's handle on a simulator running in a child process (see sim-process.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HubSpotSimOptions, ScriptedFault, SimFaults, SimStats } from '@campaigns/hubspot-sim';
import type { SimProcessOptions } from './sim-process.js';

export interface RemoteSim {
  url: string;
  /** Ids of the seeded campaigns. */
  ids: string[];
  stats(): Promise<SimStats>;
  resetStats(): Promise<void>;
  setFaults(faults: SimFaults): Promise<void>;
  /** Queues faults for the next API calls (e.g. `{ kind: 'delay', ms }`: the call reaches the server late). */
  script(faults: ScriptedFault[]): Promise<void>;
  /** Ids whose `property` is not the expected value on the server. */
  notApplied(property: string, expected: Record<string, string>): Promise<string[]>;
  /** Updates applied to each of `ids`, in order (needs `countApplied`; else all 0). */
  appliedCounts(ids: string[]): Promise<number[]>;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./sim-process.ts', import.meta.url));

export async function startRemoteSim(
  options: HubSpotSimOptions,
  own: SimProcessOptions = {},
): Promise<RemoteSim> {
  const child: ChildProcess = fork(entry, [JSON.stringify(options), JSON.stringify(own)], {
    execArgv: ['--conditions=@campaigns/source', '--import', 'tsx', '--max-old-space-size=4096'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const ready = await new Promise<{ url: string; ids: string[] }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; ids: string[] }));
    child.once('exit', (code) =>
      reject(new Error(`simulator process exited with ${code} before it was ready`)),
    );
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  child.on('message', (m: { id?: number; result?: unknown }) => {
    if (m.id !== undefined) pending.get(m.id)?.(m.result);
    pending.delete(m.id!);
  });
  const call = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      pending.set(id, resolve as (r: unknown) => void);
      child.send({ ...message, id });
    });
  return {
    url: ready.url,
    ids: ready.ids,
    stats: () => call<SimStats>({ cmd: 'stats' }),
    resetStats: () => call<void>({ cmd: 'reset-stats' }),
    setFaults: (faults) => call<void>({ cmd: 'faults', faults }),
    script: (script) => call<void>({ cmd: 'script', script }),
    notApplied: (property, expected) => call<string[]>({ cmd: 'verify', property, expected }),
    appliedCounts: (ids) => call<number[]>({ cmd: 'applied', ids }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
