/** Small numeric helpers of the load benchmark. */
import { readFileSync } from 'node:fs';

/** Nearest-rank percentile of `values` (p from 0 to 100); null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function max(values: readonly number[]): number | null {
  let best: number | null = null;
  for (const v of values) if (best === null || v > best) best = v;
  return best;
}

export const round = (n: number | null, digits = 1): number | null => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Share (0–100) of all cores busy between two machineCpu() readings. */
export function machineBusyPct(from: ReturnType<typeof machineCpu>, to: ReturnType<typeof machineCpu>): number | null {
  if (from === undefined || to === undefined || to.total === from.total) return null;
  return (100 * (to.busy - from.busy)) / (to.total - from.total);
}

export function ms(value: number | null): string {
  if (value === null) return '–';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
