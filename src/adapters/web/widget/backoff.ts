/** Retry timing shared by the event stream, the session and the outgoing queue (milliseconds). */

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;

/**
 * Delay before retry number `attempt` (0 for the first retry): 1 s, 2 s, 4 s … capped at 30 s,
 * with "equal jitter" (between half and all of it) so that many tabs cut off by the same server
 * restart do not all come back in the same second.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 30)));
  const half = ceiling / 2;
  return Math.round(half + half * Math.min(Math.max(random(), 0), 1));
}

/**
 * `Retry-After` in milliseconds: seconds or an HTTP date. Undefined when absent or unreadable,
 * so the caller falls back to its own backoff. Capped so that a wrong header cannot park the
 * widget for hours.
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now(), maxMs = 10 * 60_000): number | undefined {
  if (header == null || header.trim() === '') return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1_000;
  else {
    // Only an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"): Date.parse would also take "-5" as a year.
    const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), maxMs);
}
