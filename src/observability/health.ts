import { systemClock, type Clock } from './clock.ts';

// Whether the database answers, asked cheaply: one `SELECT 1` with a short timeout, and the
// answer kept for a moment so that a storm of /healthz scrapes costs one query, not one each.

export interface DatabaseProbeOptions {
  /** A query that resolves when the database answers (`SELECT 1` through Prisma). */
  query: () => Promise<unknown>;
  /** An answer slower than this counts as unreachable (default 2 s). */
  timeoutMs?: number;
  /** How long an answer is reused (default 1 s). */
  cacheMs?: number;
  clock?: Clock;
}

export type DatabaseProbe = () => Promise<boolean>;

export function databaseProbe(options: DatabaseProbeOptions): DatabaseProbe {
  const { query, timeoutMs = 2_000, cacheMs = 1_000, clock = systemClock } = options;
  let cached: { reachable: boolean; at: number } | undefined;
  let inFlight: Promise<boolean> | undefined;

  const ask = async (): Promise<boolean> => {
    let timer: unknown;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = clock.setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([query().then(() => true, () => false), timedOut]);
    } finally {
      clock.clearTimeout(timer);
    }
  };

  return () => {
    if (cached !== undefined && clock.now() - cached.at < cacheMs) return Promise.resolve(cached.reachable);
    inFlight ??= ask().then((reachable) => {
      cached = { reachable, at: clock.now() };
      inFlight = undefined;
      return reachable;
    });
    return inFlight;
  };
}
