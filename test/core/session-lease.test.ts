import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '@prisma/client';
import type { SessionLease } from '../../src/core/channel-adapter.ts';
import { createSessionLease, holdLease, type LeaseHold } from '../../src/core/session-lease.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import type { Clock } from '../../src/observability/clock.ts';
import { silentLogger } from '../support/silent-logger.ts';
import { TestClock } from '../support/test-clock.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/test-database.ts';

// Two "processes" are two owners on one database (two PrismaClients on PostgreSQL for the race).
// Time only moves when a test moves the clock: the ttl is 30 s and nothing here waits for it.

const TTL = 30_000;
const STEP = TTL / 3;

let database: TestDatabase;
let prisma: PrismaClient;
let round = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = database.db.prisma;
});

afterAll(async () => {
  await database.dispose();
});

/** A lease name of its own per test, so the tests share the database without meeting. */
function freshName(): string {
  round += 1;
  return `wechat-${round}`;
}

function leaseOf(owner: string, name: string, clock: Clock, client: PrismaClient = prisma): SessionLease {
  return createSessionLease(client, { name, owner, ttlMs: TTL, clock });
}

async function ownerOf(name: string): Promise<string | undefined> {
  const rows = await prisma.$queryRaw<Array<{ owner: string }>>`SELECT owner FROM "SessionLease" WHERE name = ${name}`;
  return rows[0]?.owner;
}

describe('createSessionLease', () => {
  it('is taken by one owner, refused to another while valid, and taken over once it expires', async () => {
    const clock = new TestClock();
    const name = freshName();
    const a = leaseOf('process-a', name, clock);
    const b = leaseOf('process-b', name, clock);
    expect(a.ttlMs).toBe(TTL);

    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await b.renew()).toBe(false);
    // Taking it again while ours is a renewal, not a refusal.
    expect(await a.acquire()).toBe(true);

    // A second of margin: the test clock also moves with real time while the queries run.
    clock.advance(TTL - 1000);
    expect(await a.renew()).toBe(true);
    clock.advance(TTL - 1000);
    // Still valid thanks to the renewal, though nearly 2 × ttl have passed since it was taken.
    expect(await b.acquire()).toBe(false);

    clock.advance(1000);
    expect(await b.acquire()).toBe(true);
    expect(await ownerOf(name)).toBe('process-b');
    // The former holder finds out on its next renewal, and must not take it back while valid.
    expect(await a.renew()).toBe(false);
    expect(await a.acquire()).toBe(false);
  });

  it('release lets a standby in at once; releasing a lease someone else holds changes nothing', async () => {
    const clock = new TestClock();
    const name = freshName();
    const a = leaseOf('process-a', name, clock);
    const b = leaseOf('process-b', name, clock);
    expect(await a.acquire()).toBe(true);
    await b.release();
    expect(await ownerOf(name)).toBe('process-a');

    await a.release();
    expect(await b.acquire()).toBe(true);
    expect(await a.renew()).toBe(false);
  });

  it.runIf(onPostgres)('two processes racing for it 20 times: exactly one wins each round', async () => {
    const [one, two] = await Promise.all([
      openDatabase({ url: database.url!, dataDir: '' }),
      openDatabase({ url: database.url!, dataDir: '' }),
    ]);
    try {
      const clock = new TestClock();
      const name = freshName();
      const a = leaseOf('process-a', name, clock, one.prisma);
      const b = leaseOf('process-b', name, clock, two.prisma);
      for (let i = 0; i < 20; i++) {
        // Round 0 races to insert the row; later rounds race to take over an expired one.
        const results = await Promise.all([a.acquire(), b.acquire()]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await ownerOf(name)).toBe(results[0] ? 'process-a' : 'process-b');
        clock.advance(TTL);
      }
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describe('holdLease', () => {
  /** A process's session: how often it was started and ended. */
  function session() {
    const counts = { acquired: 0, lost: 0 };
    return {
      counts,
      callbacks: {
        onAcquired: async () => void counts.acquired++,
        onLost: async () => void counts.lost++,
      },
    };
  }

  /** Counts the attempts a lease sees, so a test knows when a timer's step has finished. */
  function counted(lease: SessionLease, options: { failRenew?: () => boolean } = {}) {
    const calls = { acquire: 0, renew: 0 };
    const wrapped: SessionLease = {
      ttlMs: lease.ttlMs,
      acquire: async () => {
        try {
          return await lease.acquire();
        } finally {
          calls.acquire++;
        }
      },
      renew: async () => {
        try {
          if (options.failRenew?.()) throw new Error('connection terminated');
          return await lease.renew();
        } finally {
          calls.renew++;
        }
      },
      release: () => lease.release(),
    };
    return { calls, lease: wrapped };
  }

  /** Moves `clock` one step and waits (on the database, not on time) for the timer's work. */
  async function step(clock: TestClock, done: () => boolean): Promise<void> {
    clock.advance(STEP);
    await vi.waitFor(() => expect(done()).toBe(true));
  }

  const deps = (clock: Clock) => ({ clock, logger: silentLogger() });
  const holds: LeaseHold[] = [];
  afterAll(async () => {
    for (const hold of holds) await hold.stop();
  });

  it('a standby takes over when the holder stops renewing; the holder steps down on its next renewal', async () => {
    const name = freshName();
    // Separate clocks: process A is frozen (a paused VM) while B's time goes on.
    const clockA = new TestClock();
    const clockB = new TestClock();
    const a = counted(leaseOf('process-a', name, clockA));
    const b = counted(leaseOf('process-b', name, clockB));
    const sessionA = session();
    const sessionB = session();

    const holdA = holdLease(a.lease, deps(clockA), sessionA.callbacks);
    holds.push(holdA);
    await vi.waitFor(() => expect(sessionA.counts.acquired).toBe(1));
    expect(holdA.held).toBe(true);

    const holdB = holdLease(b.lease, deps(clockB), sessionB.callbacks);
    holds.push(holdB);
    await vi.waitFor(() => expect(b.calls.acquire).toBe(1));
    expect(holdB.held).toBe(false);
    await step(clockB, () => b.calls.acquire === 2);
    await step(clockB, () => b.calls.acquire === 3);
    expect(sessionB.counts.acquired).toBe(0);
    // Standby retries every third of the ttl: the third retry is the first past A's expiry.
    await step(clockB, () => b.calls.acquire === 4);
    expect(sessionB.counts.acquired).toBe(1);
    expect(holdB.held).toBe(true);
    expect(sessionA.counts.lost).toBe(0);

    // A wakes up: its renewal is refused, it ends its session and stands by.
    await step(clockA, () => a.calls.renew === 1 && sessionA.counts.lost === 1);
    expect(holdA.held).toBe(false);
    // B renews on its own timer, and A's standby attempts are refused.
    await step(clockB, () => b.calls.renew === 1);
    await step(clockA, () => a.calls.acquire === 2);
    expect(holdA.held).toBe(false);
    expect(holdB.held).toBe(true);
    expect(await ownerOf(name)).toBe('process-b');
  });

  it('a holder whose renewals fail steps down when its lease would expire, as the standby takes over', async () => {
    const name = freshName();
    const clock = new TestClock();
    const a = counted(leaseOf('process-a', name, clock), { failRenew: () => true });
    const b = counted(leaseOf('process-b', name, clock));
    const sessionA = session();
    const sessionB = session();
    const holdA = holdLease(a.lease, deps(clock), sessionA.callbacks);
    holds.push(holdA);
    await vi.waitFor(() => expect(holdA.held).toBe(true));
    const holdB = holdLease(b.lease, deps(clock), sessionB.callbacks);
    holds.push(holdB);
    await vi.waitFor(() => expect(b.calls.acquire).toBe(1));

    // The failures are logged, not thrown out of the timer; A keeps the session while it may.
    await step(clock, () => a.calls.renew === 1 && b.calls.acquire === 2);
    await step(clock, () => a.calls.renew === 2 && b.calls.acquire === 3);
    expect(holdA.held).toBe(true);
    expect(sessionA.counts.lost).toBe(0);

    await step(clock, () => a.calls.renew === 3 && b.calls.acquire === 4);
    expect(sessionA.counts.lost).toBe(1);
    expect(holdA.held).toBe(false);
    expect(sessionB.counts.acquired).toBe(1);
    expect(holdB.held).toBe(true);
  });

  it('stop() ends the session and releases the lease, so the standby need not wait for expiry', async () => {
    const name = freshName();
    const clock = new TestClock();
    const a = counted(leaseOf('process-a', name, clock));
    const b = counted(leaseOf('process-b', name, clock));
    const sessionA = session();
    const sessionB = session();
    const holdA = holdLease(a.lease, deps(clock), sessionA.callbacks);
    await vi.waitFor(() => expect(holdA.held).toBe(true));
    const holdB = holdLease(b.lease, deps(clock), sessionB.callbacks);
    holds.push(holdB);
    await vi.waitFor(() => expect(b.calls.acquire).toBe(1));

    await holdA.stop();
    expect(sessionA.counts).toEqual({ acquired: 1, lost: 1 });
    expect(holdA.held).toBe(false);
    expect(await ownerOf(name)).toBeUndefined();
    // A stopped hold sets no more timers: only B's retry is waiting, one step away.
    expect(clock.pending()).toHaveLength(1);

    await step(clock, () => b.calls.acquire === 2);
    expect(sessionB.counts.acquired).toBe(1);
    expect(a.calls.renew).toBe(0);

    await holdB.stop();
    expect(sessionB.counts).toEqual({ acquired: 1, lost: 1 });
    expect(await ownerOf(name)).toBeUndefined();
    expect(clock.pending()).toHaveLength(0);
  });
});
