/**
 * Issue 11, crash mid-burst: a real `solodesk start` on PostgreSQL takes a burst of Telegram
 * webhooks and is SIGKILLed in the middle of it; restarted on the same database, it gets what
 * Telegram would send again (every update not answered 200, and some that were). Every
 * acknowledged message must be stored exactly once, and every customer answered exactly once.
 *
 * While the burst runs, the fake Telegram holds every sendMessage without answering, so the desk
 * dies with replies claimed and in flight (the worst moment for exactly-once) and none recorded as
 * delivered; they are released after the restart.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { createFreshPostgresDatabase, startSolodesk, type FreshDatabase, type SolodeskProcess } from '../support/solodesk-process.ts';
import {
  deliver, deliverUntilAcknowledged, deskEnv, durablyReceived, inboxStatuses, isAck, QUESTIONS, ReplyLedger, SECRETS, storedCustomerMessages, storedKey,
  telegramCustomerMessage, unfinishedWork, waitUntil, WebhookClient, type CustomerMessage, type DeliveryResult, type Query,
} from './platforms.ts';

const CUSTOMERS = 80;
/** The desk dies right after this many deliveries were acknowledged. */
const KILL_AFTER_ACKS = 25;

let database: FreshDatabase;
let pool: pg.Pool;
let query: Query;
let telegram: FakeTelegram;
const desks: SolodeskProcess[] = [];
const clients: WebhookClient[] = [];

beforeAll(async () => {
  database = await createFreshPostgresDatabase('solodesk_crash');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  query = async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>;
  telegram = await startFakeTelegram({ token: SECRETS.telegramToken });
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const desk of desks) await desk.kill();
  await telegram?.close();
  await pool?.end();
  await database?.drop();
});

describe('SIGKILL in the middle of a burst of webhooks', () => {
  it('after a restart and Telegram redelivering, stores every acknowledged message once and answers every customer once', async () => {
    const env = { ...deskEnv({ telegram }), DATABASE_URL: database.url };
    const ledger = new ReplyLedger({ telegram }).start();
    telegram.injectFault('sendMessage', { network: 'hang' }, { times: Infinity });

    const first = await startSolodesk({ env });
    desks.push(first);
    const messages: CustomerMessage[] = Array.from({ length: CUSTOMERS }, (_, n) => telegramCustomerMessage(n, QUESTIONS[n % QUESTIONS.length]!));
    const burstClient = new WebhookClient(first.origin, { connections: 20 });
    clients.push(burstClient);
    const acknowledged = new Set<number>();
    let killing: Promise<void> | undefined;
    const burst: DeliveryResult[] = await Promise.all(messages.map(async (message) => {
      const result = await deliver(burstClient, message, 0);
      if (isAck(result)) {
        acknowledged.add(message.n);
        if (acknowledged.size >= KILL_AFTER_ACKS) killing ??= first.kill();
      }
      return result;
    }));
    await killing;
    const { signal } = await first.exited;
    expect(signal).toBe('SIGKILL');
    // The scenario happened: some deliveries were acknowledged, some were not answered 200.
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    const unacknowledged = messages.filter((m) => !acknowledged.has(m.n));
    expect(unacknowledged.length).toBeGreaterThan(0);
    // Nothing the burst did not acknowledge was a success answer in disguise (e.g. 3xx).
    expect(burst.filter((r) => !isAck(r) && typeof r.status === 'number' && r.status < 400)).toEqual([]);

    // What was acknowledged before the crash is held durably already (stored, or in the inbox).
    const heldAtCrash = await durablyReceived(query);
    expect(messages.filter((m) => acknowledged.has(m.n) && !heldAtCrash.has(storedKey(m))).map((m) => m.n)).toEqual([]);

    // Restart on the same database; Telegram answers sends again.
    const second = await startSolodesk({ env });
    desks.push(second);
    telegram.clearFaults('sendMessage');
    const client = new WebhookClient(second.origin, { connections: 20 });
    clients.push(client);
    // Telegram redelivers every update not answered 200; a third of the acknowledged ones come again too.
    const redelivered = [...unacknowledged, ...messages.filter((m) => acknowledged.has(m.n) && m.n % 3 === 0)];
    const redeliveries = await Promise.all(redelivered.map((m) => deliverUntilAcknowledged(client, m, { firstAttempt: 1 })));
    expect(redeliveries.filter((attempts) => !isAck(attempts.at(-1)!))).toEqual([]);

    // Every customer answered; nothing left to send or decide.
    await waitUntil(async () => {
      ledger.poll();
      if (messages.some((m) => ledger.repliesTo(m.chat).length === 0)) return false;
      const work = await unfinishedWork(query, ['telegram']);
      return work.outbox === 0 && work.inbox === 0;
    }, {
      timeoutMs: 100_000,
      label: 'every customer answered and the outbox drained',
      describe: async () => {
        const unanswered = messages.filter((m) => ledger.repliesTo(m.chat).length === 0).map((m) => m.n);
        return `unanswered customers ${JSON.stringify(unanswered)}; unfinished ${JSON.stringify(await unfinishedWork(query, ['telegram']))}\n${second.output().slice(-3000)}`;
      },
    });
    ledger.stop();

    const stored = await storedCustomerMessages(query);
    expect(messages.filter((m) => stored.get(storedKey(m)) !== 1).map((m) => `${m.n}: stored ${stored.get(storedKey(m)) ?? 0}×`)).toEqual([]);
    expect(messages.filter((m) => ledger.repliesTo(m.chat).length !== 1).map((m) => `${m.n}: answered ${ledger.repliesTo(m.chat).length}×: ${JSON.stringify(ledger.repliesTo(m.chat).map((r) => r.text.slice(0, 40)))}`)).toEqual([]);
    const inbox = await inboxStatuses(query);
    expect((inbox.rejected ?? 0) + (inbox.failed ?? 0)).toBe(0);
    expect(second.alive()).toBe(true);
  }, 180_000);
});
