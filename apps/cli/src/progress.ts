// Progress while a command runs, on stderr: a bar on a terminal (cli-progress), a plain line
// every few seconds otherwise (logs, CI), nothing with --quiet. The final summary is the
// command's own and is always printed.
import { count, type CliIo } from './io.js';

export interface ProgressFigures {
  done: number;
  failed: number;
  retries: number;
  rateLimited: number;
}

export interface Progress {
  start(total: number): void;
  update(figures: ProgressFigures): void;
  /** Removes the timer and leaves the bar's last state on screen. Safe to call twice. */
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'none';

export interface ProgressOptions {
  /** What is counted: `updated`, `exported`. */
  verb: string;
  mode: ProgressMode;
  /** Plain lines: one every this many ms. */
  intervalMs?: number;
}

export const DEFAULT_LINE_INTERVAL_MS = 5_000;

export function progressMode(io: CliIo, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  return io.stderr.isTTY ? 'bar' : 'lines';
}

/** `1m05s`, `42s`: durations in progress lines and summaries. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** cli-progress is loaded only for a terminal: logs and CI never need it. */
export async function createProgress(io: CliIo, options: ProgressOptions): Promise<Progress> {
  let started = 0;
  let total = 0;
  let figures: ProgressFigures = { done: 0, failed: 0, retries: 0, rateLimited: 0 };
  const rate = () => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? figures.done / seconds : 0;
  };

  if (options.mode === 'none')
    return {
      start: () => undefined,
      update: () => undefined,
      stop: () => undefined,
    };

  if (options.mode === 'lines') {
    let timer: ReturnType<typeof setInterval> | undefined;
    const line = () => {
      const r = rate();
      const left = total - figures.done;
      const eta = r > 0 ? duration((left / r) * 1000) : '?';
      const pct = total > 0 ? Math.floor((figures.done / total) * 100) : 100;
      io.stderr.write(
        `${options.verb} ${count(figures.done)}/${count(total)} (${pct}%), ${count(Math.round(r))}/s, ETA ${eta}, ` +
          `failed ${count(figures.failed)}, retries ${count(figures.retries)}, 429s ${count(figures.rateLimited)}\n`,
      );
    };
    return {
      start(t) {
        total = t;
        started = performance.now();
        timer = setInterval(line, options.intervalMs ?? DEFAULT_LINE_INTERVAL_MS);
        timer.unref();
      },
      update(f) {
        figures = f;
      },
      stop() {
        if (timer) clearInterval(timer);
        timer = undefined;
      },
    };
  }

  const { Presets, SingleBar } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format:
        ` ${options.verb} {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}` +
        ' | failed {failed} | retries {retries} | 429s {rateLimited}',
      barsize: 24,
      hideCursor: true,
      etaBuffer: 200,
      fps: 8,
      formatValue: (value, _options, type) =>
        type === 'value' || type === 'total' ? count(Number(value)) : String(value),
    },
    Presets.shades_classic,
  );
  let running = false;
  const payload = () => ({
    rate: count(Math.round(rate())),
    failed: count(figures.failed),
    retries: count(figures.retries),
    rateLimited: count(figures.rateLimited),
  });
  return {
    start(t) {
      total = t;
      started = performance.now();
      running = true;
      bar.start(t, 0, payload());
    },
    update(f) {
      figures = f;
      if (running) bar.update(f.done, payload());
    },
    stop() {
      if (!running) return;
      running = false;
      bar.update(figures.done, payload());
      bar.stop();
    },
  };
}
