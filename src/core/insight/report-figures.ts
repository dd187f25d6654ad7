// The arithmetic of a report, apart from the queries: shares, nearest-rank percentiles, and
// counts by key.

export interface Share {
  count: number;
  /** count / the base it is a share of; null when the base is 0. */
  share: number | null;
}

export function shareOf(count: number, base: number): Share {
  return { count, share: base > 0 ? count / base : null };
}

export interface DurationSummary {
  /** How many intervals it summarises. */
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  /** The same, counting only open business hours (present when BUSINESS_HOURS is set). */
  business?: { medianMs: number | null; p90Ms: number | null };
}

/**
 * Nearest-rank percentile (the smallest value at least p of the values are ≤ to): always a time
 * that was actually measured, never an average of two, so a hand count checks it.
 */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export function summarizeDurations(wall: number[], business?: number[]): DurationSummary {
  return {
    count: wall.length,
    medianMs: percentile(wall, 0.5),
    p90Ms: percentile(wall, 0.9),
    ...(business ? { business: { medianMs: percentile(business, 0.5), p90Ms: percentile(business, 0.9) } } : {}),
  };
}

export interface Breakdown {
  key: string;
  conversations: number;
  answeredByBot: number;
  escalated: number;
}

/** Conversations counted by a key (a channel, a language), largest first, then by key. */
export function breakdown<T>(items: T[], keyOf: (item: T) => string, flags: (item: T) => { answeredByBot: boolean; escalated: boolean }): Breakdown[] {
  const rows = new Map<string, Breakdown>();
  for (const item of items) {
    const key = keyOf(item);
    const row = rows.get(key) ?? { key, conversations: 0, answeredByBot: 0, escalated: 0 };
    const f = flags(item);
    row.conversations += 1;
    if (f.answeredByBot) row.answeredByBot += 1;
    if (f.escalated) row.escalated += 1;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.conversations - a.conversations || a.key.localeCompare(b.key));
}

/** 'YYYY-MM-DD' of `at` in the time zone. */
export function localDate(at: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format.format(at);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Every local date from `since` up to (not including) `until`, in order. */
export function datesBetween(since: Date, until: Date, timeZone: string): string[] {
  const dates = new Set<string>();
  for (let at = since.getTime(); at < until.getTime(); at += 3_600_000) dates.add(localDate(new Date(at), timeZone));
  if (until > since) dates.add(localDate(new Date(until.getTime() - 1), timeZone));
  return [...dates];
}
