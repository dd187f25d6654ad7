import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../src/core/outbox-dispatcher.ts';
import { openDatabase, type Database } from '../../src/db/open-database.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { Sender } from '../../src/core/ports.ts';
import { ManualClock } from '../observability/manual-clock.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { RecordingSender } from '../support/test-desk.ts';
import { silentLogger } from '../support/silent-logger.ts';

const ROWS = 1_000;

/**
 * A clock that stands still at the present until the test moves it. Rows a test makes for it say
 * when they are due on it (the database's default would be the wall clock, already past it).
 */
function startedNow(): ManualClock {
  const clock = new ManualClock();
  clock.advance(Date.now());
  return clock;
}

describe('OutboxDispatcher', () => {
  let database: TestDatabase;
  let second: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    // On PostgreSQL the second dispatcher has its own connection pool, as a second process would.
    second = database.url ? await openDatabase({ url: database.url, dataDir: '' }) : database.db;
  });
  afterAll(async () => {
    if (second !== database.db) await second.close();
    await database.dispose();
  });

  it('two dispatchers racing over 1,000 rows send every row exactly once, each chat in order', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.createMany({
      data: Array.from({ length: ROWS }, (_, i) => ({
        channel: 'test',
        chatKey: `test:chat-${i % 50}`,
        target: { chatId: `chat-${i % 50}` },
        payload: { type: 'customer_message', conversationId: 'x', messageId: `m${i}`, message: { text: String(i) } },
      })),
    });
    const senders = [new RecordingSender('test'), new RecordingSender('test')];
    const dispatchers = [prisma, second.prisma].map((client, i) => {
      const dispatcher = new OutboxDispatcher(client, { logger: silentLogger(), metrics: createMetrics() }, { batchSize: 25 });
      dispatcher.registerSender(senders[i]!);
      return dispatcher;
    });
    await Promise.all(dispatchers.map((d) => d.drain()));

    const sent = senders.flatMap((s) => s.delivered.map((d) => d.payload.type === 'customer_message' && d.payload.message.text));
    expect(sent).toHaveLength(ROWS);
    expect(new Set(sent).size).toBe(ROWS);
    expect(senders.every((s) => s.delivered.length > 0)).toBe(true);
    expect(await prisma.outbox.count({ where: { status: 'sent' } })).toBe(ROWS);
    // Rows of one chat were created in increasing order of i; each sender saw them in that order.
    for (const sender of senders) {
      const byChat = new Map<string, number>();
      for (const d of sender.delivered) {
        if (d.payload.type !== 'customer_message') continue;
        const i = Number(d.payload.message.text);
        const chat = String(i % 50);
        expect(i).toBeGreaterThan(byChat.get(chat) ?? -1);
        byChat.set(chat, i);
      }
    }
  });

  it('keeps a sender\'s per-chat gap: the second message to a chat waits, another chat does not', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.deleteMany();
    const clock = startedNow();
    const row = (chat: string, text: string) => ({
      channel: 'paced',
      chatKey: `paced:${chat}`,
      target: { chatId: chat },
      payload: { type: 'customer_message', conversationId: 'x', messageId: text, message: { text } },
      nextAttemptAt: new Date(clock.now()),
    });
    await prisma.outbox.createMany({ data: [row('a', 'a1'), row('a', 'a2'), row('b', 'b1')] });
    const sender = new RecordingSender('paced', { perChatIntervalMs: 60_000 });
    const dispatcher = new OutboxDispatcher(prisma, { logger: silentLogger(), metrics: createMetrics(), clock });
    dispatcher.registerSender(sender);
    const before = clock.now();
    await dispatcher.drain();
    const texts = sender.delivered.map((d) => d.payload.type === 'customer_message' && d.payload.message.text).sort();
    expect(texts).toEqual(['a1', 'b1']);
    const waiting = await prisma.outbox.findFirstOrThrow({ where: { channel: 'paced', status: 'pending' } });
    expect(waiting).toMatchObject({ attempts: 0 });
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(before + 50_000);
    // The gap passes on the dispatcher's clock, not the wall's.
    clock.advance(60_000);
    await dispatcher.drain();
    expect(sender.delivered.map((d) => d.payload.type === 'customer_message' && d.payload.message.text).sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('leaves a channel\'s rows alone while its sender cannot send (logged out, session elsewhere), then sends them once', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.deleteMany();
    const clock = startedNow();
    await prisma.outbox.create({
      data: {
        channel: 'session', chatKey: 'session:a', target: { chatId: 'a' },
        payload: { type: 'customer_message', conversationId: 'x', messageId: 's1', message: { text: 's1' } },
        nextAttemptAt: new Date(clock.now()),
      },
    });
    let loggedIn = false;
    const recording = new RecordingSender('session');
    const sender: Sender = { channel: 'session', canSend: () => loggedIn, send: (d) => recording.send(d) };
    const dispatcher = new OutboxDispatcher(prisma, { logger: silentLogger(), metrics: createMetrics(), clock });
    dispatcher.registerSender(sender);
    await dispatcher.drain();
    expect(recording.delivered).toHaveLength(0);
    // Not claimed at all: no attempt spent, no error, no lease held on it for another process.
    expect(await prisma.outbox.findFirstOrThrow({ where: { channel: 'session' } })).toMatchObject({ status: 'pending', attempts: 0, lastError: null, lockedUntil: null });
    loggedIn = true;
    await dispatcher.drain();
    expect(recording.delivered.map((d) => d.payload.type === 'customer_message' && d.payload.message.text)).toEqual(['s1']);
  });

  it('what is due, a backoff and a lease are read from the dispatcher\'s clock, not the database\'s', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.deleteMany();
    const clock = startedNow();
    const row = (id: string, extra: object = {}) => ({
      channel: 'timed',
      chatKey: `timed:${id}`,
      target: { chatId: id },
      payload: { type: 'customer_message', conversationId: 'x', messageId: id, message: { text: id } },
      nextAttemptAt: new Date(clock.now()),
      ...extra,
    });
    // One row another dispatcher holds for 30 more seconds; one that fails once and backs off.
    await prisma.outbox.createMany({ data: [row('leased', { attempts: 1, lockedUntil: new Date(clock.now() + 30_000) }), row('flaky')] });
    const sender = new RecordingSender('timed');
    sender.failNext(() => new Error('socket hang up'));
    // random 0.5: the jitter multiplies the backoff by exactly 1.
    const dispatcher = new OutboxDispatcher(prisma, { logger: silentLogger(), metrics: createMetrics(), clock }, { baseBackoffMs: 1_000, random: () => 0.5 });
    dispatcher.registerSender(sender);
    const sent = () => sender.delivered.map((d) => d.payload.type === 'customer_message' && d.payload.message.text);

    await dispatcher.drain();
    expect(sender.attempts).toHaveLength(1);
    expect(sent()).toEqual([]);
    clock.advance(999);
    await dispatcher.drain();
    expect(sent()).toEqual([]);
    clock.advance(1);
    await dispatcher.drain();
    expect(sent()).toEqual(['flaky']);
    clock.advance(29_001);
    await dispatcher.drain();
    expect(sent()).toEqual(['flaky', 'leased']);
  });

  it('a send that hangs times out on the dispatcher\'s clock and is retried later', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.deleteMany();
    const clock = startedNow();
    await prisma.outbox.create({
      data: {
        channel: 'hang',
        chatKey: 'hang:a',
        target: { chatId: 'a' },
        payload: { type: 'customer_message', conversationId: 'x', messageId: 'h1', message: { text: 'h1' } },
        nextAttemptAt: new Date(clock.now()),
      },
    });
    let sending: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (sending = resolve));
    const sender: Sender = {
      channel: 'hang',
      send() {
        sending();
        return new Promise(() => undefined);
      },
    };
    const dispatcher = new OutboxDispatcher(prisma, { logger: silentLogger(), metrics: createMetrics(), clock }, { sendTimeoutMs: 15_000, baseBackoffMs: 1_000, random: () => 0.5 });
    dispatcher.registerSender(sender);
    const draining = dispatcher.drain();
    await started;
    clock.advance(15_000);
    await draining;
    const row = await prisma.outbox.findFirstOrThrow({ where: { channel: 'hang' } });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, sendingAt: null, lastError: 'Error: send timed out after 15000 ms' });
    expect(row.nextAttemptAt.getTime()).toBe(clock.now() + 1_000);
  });

  it('a send whose record fails is recorded later, never sent again', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.deleteMany();
    await prisma.outbox.create({
      data: { channel: 'rec', chatKey: 'rec:a', target: { chatId: 'a' }, payload: { type: 'customer_message', conversationId: 'x', messageId: 'r1', message: { text: 'r1' } } },
    });
    // The database refuses the first "sent" record (as a pool timeout under load did): a sequence
    // counts outside the failing transaction.
    await prisma.$executeRawUnsafe('CREATE SEQUENCE refuse_sent_seq');
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_first_sent() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'sent' AND nextval('refuse_sent_seq') = 1 THEN RAISE EXCEPTION 'record refused by test trigger'; END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe('CREATE TRIGGER refuse_first_sent BEFORE UPDATE ON "Outbox" FOR EACH ROW EXECUTE FUNCTION refuse_first_sent()');
    try {
      const sender = new RecordingSender('rec');
      const metrics = createMetrics();
      const dispatcher = new OutboxDispatcher(prisma, { logger: silentLogger(), metrics }, { recordRetryDelaysMs: [] });
      dispatcher.registerSender(sender);
      await dispatcher.drain();
      await dispatcher.drain();
      expect(sender.attempts).toHaveLength(1);
      expect(await prisma.outbox.findFirstOrThrow({ where: { channel: 'rec' } })).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      await prisma.$executeRawUnsafe('DROP TRIGGER refuse_first_sent ON "Outbox"');
      await prisma.$executeRawUnsafe('DROP FUNCTION refuse_first_sent()');
      await prisma.$executeRawUnsafe('DROP SEQUENCE refuse_sent_seq');
    }
  });

  it('a row claimed by a dispatcher that died is sent by another: once if it never started, flagged if it was in flight', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.deleteMany();
    const past = new Date(Date.now() - 60_000);
    const row = (id: string, sendingAt: Date | null) => ({
      channel: 'dead',
      chatKey: `dead:${id}`,
      target: { chatId: id },
      attempts: 1,
      lockedUntil: past,
      sendingAt,
      payload: { type: 'customer_message', conversationId: 'x', messageId: id, message: { text: id } },
    });
    await prisma.outbox.createMany({ data: [row('claimed', null), row('in-flight', past)] });
    const sender = new RecordingSender('dead');
    const metrics = createMetrics();
    const dispatcher = new OutboxDispatcher(prisma, { logger: silentLogger(), metrics });
    dispatcher.registerSender(sender);
    await dispatcher.drain();
    expect(sender.delivered.map((d) => d.payload.type === 'customer_message' && d.payload.message.text).sort()).toEqual(['claimed', 'in-flight']);
    const counted = (await metrics.deliveries.get()).values.filter((v) => v.labels.result === 'resent_in_doubt');
    expect(counted.map((v) => v.value)).toEqual([1]);
  });
});
