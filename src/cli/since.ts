import { SolodeskError } from '../errors.ts';

// `--since 7d`: the period options of `report` and `kb gaps`.

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "12h", "2w" back from `now`, or a date ("2026-11-01"). */
export function sinceOf(value: string, now: Date): Date {
  const relative = /^(\d+)\s*([hdw])$/i.exec(value.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date >= now) {
    throw new SolodeskError('invalid_argument', `--since must be like 7d, 12h, 2w or a past date (got "${value}")`);
  }
  return date;
}
