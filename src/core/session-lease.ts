import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Prisma, type PrismaClient } from '@prisma/client';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { SessionLease } from './channel-adapter.ts';

// A session only one process may own (a WeChat login), decided by one row per session in the
// shared database. Every operation is a single SQL statement, so two processes racing for the
// same lease are ordered by PostgreSQL's row lock and exactly one of them wins. Time is the core's
// clock passed as a parameter, not the database's now(): tests move it, and every instance judges
// expiry by the same rule it uses to stamp it.

/**
 * 30 s: a WeChat (Wechaty) session survives a short gap in its owner's heartbeat, so a holder
 * renewing every 10 s rides out a slow database for a while; and a standby takes over within
 * 30 s of the holder's crash, which is about as long as a customer's message should wait.
 */
export const DEFAULT_LEASE_TTL_MS = 30_000;

let ownerOfThisProcess: string | undefined;

/** One owner id per process (host, pid and a random part, as a pid is reused after a restart). */
export function processLeaseOwner(): string {
  ownerOfThisProcess ??= `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  return ownerOfThisProcess;
}

export interface SessionLeaseOptions {
  name: string;
  /** Who holds the lease when this process does: processLeaseOwner() in the service. */
  owner: string;
  ttlMs?: number;
  clock: Clock;
}

export function createSessionLease(prisma: PrismaClient, options: SessionLeaseOptions): SessionLease {
  const { name, owner, clock } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  // The same stamping as the inbox: an ISO instant read as UTC into the timestamp(3) column.
  const at = (ms: number) => Prisma.sql`(${new Date(ms).toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  return {
    ttlMs,
    async acquire() {
      const now = clock.now();
      // Taken when there is no row, the row has expired, or it is ours already; otherwise the
      // WHERE leaves the row alone and RETURNING gives nothing.
      const rows = await prisma.$queryRaw<Array<{ owner: string }>>`
        INSERT INTO "SessionLease" (name, owner, "expiresAt", "updatedAt")
        VALUES (${name}, ${owner}, ${at(now + ttlMs)}, ${at(now)})
        ON CONFLICT (name) DO UPDATE
          SET owner = EXCLUDED.owner, "expiresAt" = EXCLUDED."expiresAt", "updatedAt" = EXCLUDED."updatedAt"
          WHERE "SessionLease"."expiresAt" <= ${at(now)} OR "SessionLease".owner = ${owner}
        RETURNING owner`;
      return rows.length === 1;
    },
    async renew() {
      const now = clock.now();
      // Only while it is still ours: once another process took it over, the holder must stop.
      // An expired lease nobody took yet is still ours to extend (no one else owns the session).
      const updated = await prisma.$executeRaw`
        UPDATE "SessionLease" SET "expiresAt" = ${at(now + ttlMs)}, "updatedAt" = ${at(now)}
        WHERE name = ${name} AND owner = ${owner}`;
      return updated === 1;
    },
    async release() {
      // Deleted rather than expired: a standby's next acquire finds no row and takes it at once.
      await prisma.$executeRaw`DELETE FROM "SessionLease" WHERE name = ${name} AND owner = ${owner}`;
    },
  };
}

export interface LeaseCallbacks {
  /** This process now owns the session: start it (log in). */
  onAcquired(): Promise<void>;
  /** This process no longer owns it (or is stopping): end it before another process starts it. */
  onLost(): Promise<void>;
}

export interface LeaseHold {
  /** Clears the timers, ends the session if held, and releases the lease. */
  stop(): Promise<void>;
  readonly held: boolean;
}

/**
 * Keeps trying to hold `lease` (give a logger bound to the session's name), and runs the session while it does: standby retries every third
 * of the ttl; the holder renews every third of it, so two failed renewals still leave time before
 * the lease expires. Database errors are logged and retried; nothing is thrown out of a timer.
 */
export function holdLease(
  lease: SessionLease,
  deps: { clock: Clock; logger: Logger },
  callbacks: LeaseCallbacks,
): LeaseHold {
  const { clock, logger } = deps;
  const intervalMs = Math.max(1, Math.floor(lease.ttlMs / 3));
  let held = false;
  let stopped = false;
  let timer: unknown;
  // When the lease we hold runs out by our own clock if no renewal gets through before then.
  let heldUntil = 0;
  // The step in flight, so stop() waits for it rather than racing it.
  let running: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      running = step();
    }, intervalMs);
  };

  const lose = async (reason: string) => {
    held = false;
    logger.warn({ reason }, 'session lease lost; standing by');
    try {
      await callbacks.onLost();
    } catch (error) {
      logger.error({ err: error }, 'ending the session after losing its lease failed');
    }
  };

  const step = async (): Promise<void> => {
    if (stopped) return;
    const startedAt = clock.now();
    if (held) {
      try {
        if (await lease.renew()) heldUntil = startedAt + lease.ttlMs;
        else await lose('another process took the lease');
      } catch (error) {
        logger.error({ err: error }, 'renewing the session lease failed');
        // Past this point a standby may already own the session: two logins must never overlap.
        if (clock.now() >= heldUntil) await lose('renewals failed until the lease expired');
      }
    } else {
      try {
        if (await lease.acquire()) {
          held = true;
          heldUntil = startedAt + lease.ttlMs;
          try {
            await callbacks.onAcquired();
          } catch (error) {
            // A session that did not start is given back, so another process may try.
            logger.error({ err: error }, 'starting the session after taking its lease failed');
            await lose('the session did not start');
            await lease.release().catch((e: unknown) => logger.error({ err: e }, 'releasing the session lease failed'));
          }
        }
      } catch (error) {
        logger.error({ err: error }, 'taking the session lease failed');
      }
    }
    schedule();
  };

  running = step();
  return {
    get held() {
      return held;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await running;
      if (held) {
        held = false;
        try {
          await callbacks.onLost();
        } catch (error) {
          logger.error({ err: error }, 'ending the session on stop failed');
        }
      }
      try {
        await lease.release();
      } catch (error) {
        logger.error({ err: error }, 'releasing the session lease failed; it expires on its own');
      }
    },
  };
}
