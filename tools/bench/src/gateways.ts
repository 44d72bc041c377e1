// The parent's handle on a gateway running in a child process (see gateway-process.ts): its URL,
// its process id, the job events it logged (with BENCH_JOB_EVENTS=1), a graceful close and a
// SIGKILL (the crash-resume scenario's crash).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A job event the gateway logged (`job-queued`, `job-started`, `job-ended`, `job-interrupted`). */
export interface GatewayJobEvent {
  type: string;
  id: string;
  resumed?: boolean;
  pending?: number;
  status?: string;
}

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Job events so far, oldest first (only when started with BENCH_JOB_EVENTS=1, LOG_LEVEL=info). */
  jobEvents: GatewayJobEvent[];
  /** Resolves with the first job event, past or future, that `match` accepts. */
  jobEvent(match: (e: GatewayJobEvent) => boolean): Promise<GatewayJobEvent>;
  /** Closes the gateway as a deploy would (it finishes what it is doing); resolves on exit. */
  close(): Promise<void>;
  /** SIGKILL: the process dies at once, in the middle of whatever it is doing; resolves on exit. */
  kill(): Promise<void>;
}

const entry = fileURLToPath(new URL('./gateway-process.ts', import.meta.url));

/** Starts a gateway configured by `env` (over this process's environment) and waits until it listens. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = fork(entry, [], {
    execArgv: ['--conditions=@campaigns/source', '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const jobEvents: GatewayJobEvent[] = [];
  const waiters = new Set<{
    match: (e: GatewayJobEvent) => boolean;
    resolve(e: GatewayJobEvent): void;
  }>();
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.on('message', (m: { url?: string; jobEvent?: GatewayJobEvent }) => {
      if (m.url) resolve({ url: m.url });
      if (!m.jobEvent) return;
      jobEvents.push(m.jobEvent);
      for (const waiter of waiters)
        if (waiter.match(m.jobEvent)) {
          waiters.delete(waiter);
          waiter.resolve(m.jobEvent);
        }
    });
    child.once('exit', (code) =>
      reject(new Error(`gateway process exited with ${code} before it was ready`)),
    );
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    pid: child.pid!,
    jobEvents,
    jobEvent: (match) => {
      const past = jobEvents.find(match);
      if (past) return Promise.resolve(past);
      return new Promise((resolve) => waiters.add({ match, resolve }));
    },
    close: async () => {
      if (running() && child.connected) child.disconnect();
      await exited;
    },
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
