/**
 * Issue 11: two `solodesk start` processes on one PostgreSQL database, behind the same webhooks
 * (Telegram and Slack). Deliveries are spread over both, and some reach both at once (a load
 * balancer retrying, a platform redelivering to the other instance). Every message must be
 * stored once, every customer answered once, every escalation posted once to the founder.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-web-api.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { createFreshPostgresDatabase, REPO_ROOT, startSolodesk, type FreshDatabase, type SolodeskProcess } from '../support/solodesk-process.ts';
import {
  customerMessage, deliverUntilAcknowledged, deskEnv, inboxStatuses, isAck, ReplyLedger, SECRETS, storedCustomerMessages,
  storedKey, unfinishedWork, waitUntil, WebhookClient, type CustomerMessage, type Query,
} from './platforms.ts';

const CUSTOMERS = 80;

let database: FreshDatabase;
let pool: pg.Pool;
let query: Query;
let telegram: FakeTelegram;
let slack: FakeSlack;
const desks: SolodeskProcess[] = [];
const clients: WebhookClient[] = [];

beforeAll(async () => {
  database = await createFreshPostgresDatabase('solodesk_two');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  query = async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>;
  telegram = await startFakeTelegram({ token: SECRETS.telegramToken });
  slack = await startFakeSlack({ token: SECRETS.slackBotToken });
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const desk of desks) await desk.stop();
  await telegram?.close();
  await slack?.close();
  await pool?.end();
  await database?.drop();
});

describe('two processes on one PostgreSQL database', () => {
  it('store every message once and answer every customer once, wherever the deliveries land', async () => {
    const env = { ...deskEnv({ telegram, slack }), DATABASE_URL: database.url };
    const ledger = new ReplyLedger({ telegram, slack }).start();
    // Both start together on the empty database: both migrate and both try to import the sample KB.
    const [a, b] = await Promise.all([startSolodesk({ env }), startSolodesk({ env })]);
    desks.push(a, b);
    const toA = new WebhookClient(a.origin, { connections: 16 });
    const toB = new WebhookClient(b.origin, { connections: 16 });
    clients.push(toA, toB);

    const messages: CustomerMessage[] = Array.from({ length: CUSTOMERS }, (_, n) => customerMessage(n, { slackShare: 0.5 }));
    expect(new Set(messages.map((m) => m.platform))).toEqual(new Set(['telegram', 'slack']));
    // Every fourth message goes to both at the same moment; the others alternate between A and B.
    const targets = (m: CustomerMessage): WebhookClient[] => (m.n % 4 === 0 ? [toA, toB] : m.n % 2 === 1 ? [toA] : [toB]);
    const deliveries = await Promise.all(messages.flatMap((m) => targets(m).map((client) => deliverUntilAcknowledged(client, m))));
    expect(deliveries.filter((attempts) => !isAck(attempts.at(-1)!))).toEqual([]);

    await waitUntil(async () => {
      ledger.poll();
      if (messages.some((m) => ledger.repliesTo(m.chat).length === 0)) return false;
      const work = await unfinishedWork(query, ['telegram', 'slack', 'founder']);
      return work.outbox === 0 && work.inbox === 0;
    }, {
      timeoutMs: 45_000,
      label: 'every customer answered and nothing left to send',
      describe: async () => {
        const unanswered = messages.filter((m) => ledger.repliesTo(m.chat).length === 0).map((m) => `${m.platform}:${m.n}`);
        return `unanswered ${JSON.stringify(unanswered)}; unfinished ${JSON.stringify(await unfinishedWork(query, ['telegram', 'slack', 'founder']))}`;
      },
    });
    ledger.stop();

    const stored = await storedCustomerMessages(query);
    expect(messages.filter((m) => stored.get(storedKey(m)) !== 1).map((m) => `${m.platform}:${m.n} stored ${stored.get(storedKey(m)) ?? 0}×`)).toEqual([]);
    expect(messages.filter((m) => ledger.repliesTo(m.chat).length !== 1).map((m) => `${m.platform}:${m.n} answered ${ledger.repliesTo(m.chat).length}×: ${JSON.stringify(ledger.repliesTo(m.chat).map((r) => r.text.slice(0, 40)))}`)).toEqual([]);

    // Each escalated conversation opened exactly one thread in the founder channel.
    const [escalated] = await query(`SELECT count(*)::int AS n FROM "Conversation" WHERE "escalatedAt" IS NOT NULL`);
    const roots = ledger.founderPosts.filter((p) => p.threadTs === undefined);
    expect(Number(escalated?.n)).toBeGreaterThan(0);
    expect(roots).toHaveLength(Number(escalated?.n));
    expect(new Set(roots.map((p) => p.text)).size).toBe(roots.length);

    // The sample KB was imported once, though both tried; both are still up, with nothing logged as an error.
    const [articles] = await query(`SELECT count(*)::int AS n FROM "Article"`);
    expect(Number(articles?.n)).toBe(readdirSync(join(REPO_ROOT, 'examples/kb')).filter((f) => f.endsWith('.md')).length);
    const inbox = await inboxStatuses(query);
    expect((inbox.rejected ?? 0) + (inbox.failed ?? 0)).toBe(0);
    expect([a.alive(), b.alive()]).toEqual([true, true]);
    expect([...a.errorLines(), ...b.errorLines()]).toEqual([]);
  }, 120_000);
});
