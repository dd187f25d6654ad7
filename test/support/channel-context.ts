import type { PrismaClient } from '@prisma/client';
import type { ChannelContext } from '../../src/core/channel-adapter.ts';
import { createSessionLease, DEFAULT_LEASE_TTL_MS, processLeaseOwner } from '../../src/core/session-lease.ts';
import { systemClock } from '../../src/observability/clock.ts';

// What a test gives a channel it builds itself, as src/channels.ts gives it in the service: the
// clock (real time unless the test brings its own) and leases on the test's own database. A test
// without a database (construction only) gets leases that fail when used, so a channel that
// starts taking one there shows up at once instead of holding a lease nowhere.

export function channelContextOf(
  parts: Omit<ChannelContext, 'clock' | 'lease'> & Partial<Pick<ChannelContext, 'clock'>>,
  db?: { prisma: PrismaClient },
  /** Who takes the leases: this process by default; a test playing a second process names another. */
  leaseOwner: string = processLeaseOwner(),
): ChannelContext {
  const clock = parts.clock ?? systemClock;
  return {
    ...parts,
    clock,
    lease: (name) => {
      if (!db) throw new Error(`this test has no database for the lease "${name}"`);
      return createSessionLease(db.prisma, { name, owner: leaseOwner, ttlMs: DEFAULT_LEASE_TTL_MS, clock });
    },
  };
}
