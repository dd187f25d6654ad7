import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src/core/create-core.ts';
import { OverloadedError } from '../../src/errors.ts';
import { InboxProcessor } from '../../src/core/inbox-processor.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { createKnowledgeBase } from '../../src/kb/knowledge-base-service.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { systemClock } from '../../src/observability/clock.ts';
import { TestClock } from '../support/test-clock.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';
import { silentLogger } from '../support/silent-logger.ts';

// Store first, decide after: the durable inbox in front of the pipeline. What a platform delivered
// is stored once (whatever the redeliveries), refused with OverloadedError when it cannot be
// stored in time, and decided once, in order per chat, by any number of processors.

let desk: TestDesk | undefined;
let customer: RecordingSender;

afterEach(async () => {
  await desk?.dispose();
  desk = undefined;
});

async function setUp(options: Parameters<typeof createTestDesk>[0] = {}): Promise<TestDesk> {
  customer = new RecordingSender('test');
  desk = await createTestDesk({ ...options, senders: [customer, new RecordingSender('founder')] });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  return desk;
}

const message = (i: number | string, text = 'How do I reset my password?', chat = `chat-${i}`) => ({
  channel: 'test',
  externalUserId: `user-${chat}`,
  externalChatId: chat,
  platformMessageId: `m-${i}`,
  text,
});

describe('the inbox', () => {
  it('stores a burst of deliveries once each (redeliveries included) and answers each once', async () => {
    const d = await setUp();
    const burst = Array.from({ length: 60 }, (_, i) => message(i));
    // Every delivery twice, interleaved, as a platform that retried the whole burst would.
    const results = await Promise.all([...burst, ...burst].map((m) => d.core.handleInbound(m)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(60);
    expect(new Set(results.map((r) => r.inboundId)).size).toBe(60);
    expect(await d.database.db.prisma.inboundEvent.count()).toBe(60);
    // Stored is not yet decided: nothing has been answered before the processor ran.
    expect(await d.database.db.prisma.message.count()).toBe(0);
    await d.drain();
    expect(await d.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(60);
    expect(customer.texts()).toHaveLength(60);
    expect(await d.database.db.prisma.inboundEvent.count({ where: { status: 'done', outcome: 'answer' } })).toBe(60);
  });

  it('stamps what it stores with the core\'s clock, not the database server\'s', async () => {
    // A clock a day ahead of the database: the row is due when the core's clock says so.
    const clock = new TestClock(new Date(Date.now() + 24 * 3600_000));
    const d = await setUp({ clock });
    await d.core.handleInbound(message('clocked'));
    await d.core.rejectInbound({ channel: 'test', platformEventId: 'bad-1', reason: 'not a message' });
    const rows = await d.database.db.prisma.inboundEvent.findMany({ orderBy: { seq: 'asc' } });
    for (const row of rows) {
      const stamped = [row.receivedAt, row.nextAttemptAt, ...(row.processedAt ? [row.processedAt] : [])];
      for (const at of stamped) expect(Math.abs(at.getTime() - clock.now()), `${row.status} ${row.receivedAt.toISOString()} ${row.nextAttemptAt.toISOString()} ${row.processedAt?.toISOString()}`).toBeLessThan(3600_000);
    }
    expect(rows).toHaveLength(2);
  });

  it('refuses at once, with a retry hint, what does not fit in the queue — and stores none of it', async () => {
    const d = await setUp();
    const core = createCore({
      prisma: d.database.db.prisma,
      kb: d.kb,
      logger: silentLogger(),
      metrics: createMetrics(),
      inbox: { maxQueued: 2, maxBatch: 1, concurrentWrites: 1, retryAfterMs: 2_000 },
    });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => core.handleInbound(message(i))));
    // One in the write, two waiting; the other three refused.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refused).toHaveLength(3);
    for (const error of refused) {
      expect(error).toBeInstanceOf(OverloadedError);
      expect((error as OverloadedError).retryAfterMs).toBe(2_000);
    }
    expect(await d.database.db.prisma.inboundEvent.count()).toBe(3);
  });

  it('refuses a delivery the database cannot take within the deadline; its redelivery is stored and answered once', async () => {
    const d = await setUp();
    const prisma = d.database.db.prisma;
    const core = createCore({ prisma, kb: d.kb, logger: silentLogger(), metrics: createMetrics(), inbox: { storeDeadlineMs: 100 } });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // A slow database: another transaction holds the inbox table.
    const holder = prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe('LOCK TABLE "InboundEvent" IN ACCESS EXCLUSIVE MODE');
        locked();
        await released;
      },
      { timeout: 30_000 },
    );
    await isLocked;
    await expect(core.handleInbound(message('slow'))).rejects.toBeInstanceOf(OverloadedError);
    release();
    await holder;
    // The platform redelivers; whether or not the first write landed late, it is one message.
    await core.handleInbound(message('slow'));
    await d.drain();
    expect(await prisma.inboundEvent.count()).toBe(1);
    expect(await prisma.message.count({ where: { author: 'customer' } })).toBe(1);
    expect(customer.texts()).toHaveLength(1);
  });

  it('a database that refuses connections is a retryable refusal, not a crash', async () => {
    const d = await setUp();
    const away = await openDatabase({ url: 'postgresql://postgres@127.0.0.1:1/solodesk_nowhere', dataDir: '' });
    try {
      const core = createCore({ prisma: away.prisma, kb: d.kb, logger: silentLogger(), metrics: createMetrics() });
      const error = await core.handleInbound(message('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OverloadedError);
    } finally {
      await away.close();
    }
  });

  it('records what cannot be a message (once per platform id) instead of failing on every redelivery', async () => {
    const d = await setUp();
    const tooLongId = { ...message('long'), platformMessageId: 'x'.repeat(500) };
    expect(await d.core.handleInbound(tooLongId)).toMatchObject({ rejected: true, duplicate: false });
    await d.core.rejectInbound({ channel: 'test', platformEventId: 'update:9', reason: 'invalid message.date', raw: { update_id: 9, message: { date: 'x' } } });
    await d.core.rejectInbound({ channel: 'test', platformEventId: 'update:9', reason: 'invalid message.date', raw: { update_id: 9 } });
    await d.drain();
    const rows = await d.database.db.prisma.inboundEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(rows[0]!.reason).toMatch(/^invalid platformMessageId/);
    expect(rows[1]!.reason).toBe('invalid message.date');
    expect(await d.database.db.prisma.message.count()).toBe(0);
  });

  it('keeps a message with NUL, lone surrogates and controls, cleaned, with its raw payload', async () => {
    const d = await setUp();
    const text = 'reset\u0000 my password \ud800 please \udfff\u0007';
    await d.core.handleInbound({ ...message('odd', text), sender: { displayName: 'A\u0000da' }, raw: { text, deep: { k: '\u0000' } } });
    await d.drain();
    const stored = await d.database.db.prisma.message.findFirstOrThrow({ where: { author: 'customer' } });
    expect(stored.text).toBe('reset\ufffd my password \ufffd please \ufffd\ufffd');
    expect(stored.raw).toEqual({ text: stored.text, deep: { k: '\ufffd' } });
    expect(customer.texts()).toHaveLength(1);
  });

  it('answers a bot command with its fixed text once, however often it is redelivered', async () => {
    const d = await setUp();
    const start = { ...message('start', '/start'), autoReply: 'Welcome!' };
    await d.core.handleInbound(start);
    await d.core.handleInbound(start);
    await d.drain();
    await d.core.handleInbound(start);
    await d.drain();
    expect(customer.texts()).toEqual(['Welcome!']);
    expect(await d.database.db.prisma.conversation.count({ where: { status: 'escalated' } })).toBe(0);
  });
});

describe('the inbox processor', () => {
  it('a message whose decision keeps failing is marked failed after its attempts; the chat goes on', async () => {
    const d = await setUp();
    const prisma = d.database.db.prisma;
    // A real failure inside the deciding transaction: the database refuses this one message.
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.text = 'poison' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe('CREATE TRIGGER refuse_poison BEFORE INSERT ON "Message" FOR EACH ROW EXECUTE FUNCTION refuse_poison()');
    try {
      await d.core.handleInbound(message(1, 'poison', 'chat-p'));
      await d.core.handleInbound(message(2, 'How do I reset my password?', 'chat-p'));
      await d.drain();
      const rows = await prisma.inboundEvent.findMany({ orderBy: { seq: 'asc' } });
      expect(rows.map((r) => [r.status, r.attempts])).toEqual([['failed', 5], ['done', 1]]);
      expect(rows[0]!.lastError).toContain('refused by test trigger');
      expect(customer.texts()).toHaveLength(1);
    } finally {
      await prisma.$executeRawUnsafe('DROP TRIGGER refuse_poison ON "Message"');
      await prisma.$executeRawUnsafe('DROP FUNCTION refuse_poison()');
    }
  });

  it('two processors over one inbox decide every message once, each chat in order', async () => {
    const d = await setUp();
    const prisma = d.database.db.prisma;
    const second = d.database.url ? await openDatabase({ url: d.database.url, dataDir: '' }) : d.database.db;
    try {
      const kb = createKnowledgeBase(second.prisma, { syncIntervalMs: 0 });
      await kb.sync(true);
      const other = createCore({ prisma: second.prisma, kb, logger: silentLogger(), metrics: createMetrics() });
      const chats = 10;
      for (let i = 0; i < 60; i++) {
        await d.core.handleInbound(message(i, i % 2 ? 'How do I reset my password?' : 'Can I get a refund?', `chat-${i % chats}`));
      }
      await Promise.all([d.core.processor.drain(), other.processor.drain()]);
      await d.drain();
      expect(await prisma.inboundEvent.count({ where: { status: 'done' } })).toBe(60);
      expect(await prisma.message.count({ where: { author: 'customer' } })).toBe(60);
      const stored = await prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' }, select: { platformMessageId: true, conversation: { select: { externalChatId: true } } } });
      for (let c = 0; c < chats; c++) {
        const order = stored.filter((m) => m.conversation.externalChatId === `chat-${c}`).map((m) => Number(m.platformMessageId!.slice(2)));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
    } finally {
      if (second !== d.database.db) await second.close();
    }
  });

  it('deletes done rows after a week, keeps recent ones and every rejected or failed one', async () => {
    const d = await setUp();
    const prisma = d.database.db.prisma;
    const old = new Date(Date.now() - 8 * 24 * 60 * 60_000);
    const row = (id: string, status: 'done' | 'rejected' | 'failed', processedAt: Date) => ({
      channel: 'test', platformMessageId: id, chatKey: `test:${id}`, payload: {}, status, processedAt,
    });
    await prisma.inboundEvent.createMany({
      data: [row('old-done', 'done', old), row('old-rejected', 'rejected', old), row('old-failed', 'failed', old), row('new-done', 'done', new Date())],
    });
    const processor = new InboxProcessor(prisma, { prisma, kb: d.kb, settings: d.core.settings, logger: silentLogger(), metrics: createMetrics(), clock: systemClock });
    await processor.runOnce();
    const left = await prisma.inboundEvent.findMany({ select: { platformMessageId: true }, orderBy: { platformMessageId: 'asc' } });
    expect(left.map((r) => r.platformMessageId)).toEqual(['new-done', 'old-failed', 'old-rejected']);
  });
});
