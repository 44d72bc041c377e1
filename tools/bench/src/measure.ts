// Small measuring helpers: percentiles, the rate-limit efficiency figure, a table printer.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The least wall time the limit allows: ⌈requests ÷ limit⌉ − 1 full windows, plus one call's
 * mean latency. Efficiency is that divided by the measured wall time (1.0 = the physical limit).
 */
export function idealWallMs(
  requests: number,
  limit: number,
  intervalMs: number,
  meanLatencyMs: number,
): number {
  return (Math.ceil(requests / limit) - 1) * intervalMs + meanLatencyMs;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? format(c) : c))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>) =>
    `| ${r.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/**
 * Fits wall time = fixed + perItem × n to (n, wall) points, weighing each by 1/wall² (so every
 * size counts by its relative error, not the largest by its milliseconds), and returns the fit
 * with the largest relative distance of a point from it. A job whose cost grows faster than
 * linearly (or in steps) is far from every line; a fixed start-up cost is not a departure from
 * linear growth.
 */
export function linearFit(points: Array<{ n: number; wallMs: number }>): {
  fixedMs: number;
  perItemMs: number;
  worstDeviation: number;
} {
  let s = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const { n, wallMs } of points) {
    const w = 1 / (wallMs * wallMs);
    s += w;
    sx += w * n;
    sy += w * wallMs;
    sxx += w * n * n;
    sxy += w * n * wallMs;
  }
  const perItemMs = (s * sxy - sx * sy) / (s * sxx - sx * sx);
  const fixedMs = (sy - perItemMs * sx) / s;
  const worstDeviation = Math.max(
    ...points.map(({ n, wallMs }) => Math.abs(wallMs - (fixedMs + perItemMs * n)) / wallMs),
  );
  return { fixedMs, perItemMs, worstDeviation };
}
