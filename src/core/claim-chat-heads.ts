import { Prisma, type PrismaClient } from '@prisma/client';

// Both durable queues (the inbox and the outbox) hand out work the same way: only the oldest
// pending row of each chat is claimable, so one chat's rows are handled one at a time and in
// order; rows are leased (`lockedUntil`) with FOR UPDATE SKIP LOCKED, so any number of workers in
// any number of processes share them and a crashed worker's rows come back when the lease ends.

export interface ClaimOptions {
  table: 'Outbox' | 'InboundEvent';
  leaseMs: number;
  batchSize: number;
  /** More conditions on the candidate row `c`, starting with AND. */
  where?: Prisma.Sql;
  /** The claimed row's columns to return, on alias `o`. */
  returning: Prisma.Sql;
  /**
   * What "now" is for due rows and for the lease's end: the caller's clock, so one clock decides
   * both when a row was put back and when it is due again. The database's now() when absent.
   */
  now?: Date;
}

export function claimChatHeads<T>(prisma: PrismaClient, options: ClaimOptions): Promise<T[]> {
  const table = Prisma.raw(`"${options.table}"`);
  // The columns are TIMESTAMP(3) holding UTC (Prisma's convention): the instant is compared as UTC.
  const now = options.now ? Prisma.sql`(${options.now.toISOString()}::timestamptz AT TIME ZONE 'UTC')` : Prisma.sql`now()`;
  return prisma.$queryRaw<T[]>`
    UPDATE ${table} AS o
       SET "lockedUntil" = ${now} + make_interval(secs => ${options.leaseMs / 1000}),
           attempts = o.attempts + 1
     WHERE o.id IN (
       SELECT c.id FROM ${table} AS c
        WHERE c.status = 'pending'
          AND c."nextAttemptAt" <= ${now}
          AND (c."lockedUntil" IS NULL OR c."lockedUntil" < ${now})
          ${options.where ?? Prisma.empty}
          AND NOT EXISTS (
            SELECT 1 FROM ${table} AS e
             WHERE e."chatKey" = c."chatKey" AND e.status = 'pending' AND e.seq < c.seq)
        ORDER BY c.seq
        LIMIT ${options.batchSize}
        FOR UPDATE SKIP LOCKED)
    RETURNING ${options.returning}`;
}
