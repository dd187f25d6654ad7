/**
 * Issue 11: the platforms misbehave while the desk replies. A real `solodesk start` answers ten
 * customers (five on Telegram, five on Slack); the fakes inject one fault per customer on the
 * send call: 429 with retry-after, HTTP 500 (twice), a request that never answers, a connection
 * reset, and a permanent refusal. Each transient fault ends with the reply delivered exactly
 * once; the permanent one is marked failed for good, with its reason; the desk stays up.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type SlackFault } from '../fakes/slack-web-api.ts';
import { startFakeTelegram, telegramErrors, type FakeTelegram, type TelegramFault } from '../fakes/telegram-bot-api.ts';
import { createFreshPostgresDatabase, startSolodesk, type FreshDatabase, type SolodeskProcess } from '../support/solodesk-process.ts';
import {
  deliverUntilAcknowledged, deskEnv, isAck, ReplyLedger, SECRETS, slackCustomerMessage, telegramCustomerMessage,
  unfinishedWork, waitUntil, WebhookClient, type CustomerMessage, type Query,
} from './platforms.ts';

let database: FreshDatabase;
let pool: pg.Pool;
let query: Query;
let telegram: FakeTelegram;
let slack: FakeSlack;
let desk: SolodeskProcess | undefined;
let client: WebhookClient | undefined;

beforeAll(async () => {
  database = await createFreshPostgresDatabase('solodesk_faults');
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  query = async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>;
  telegram = await startFakeTelegram({ token: SECRETS.telegramToken });
  slack = await startFakeSlack({ token: SECRETS.slackBotToken });
});

afterAll(async () => {
  client?.close();
  // The fakes first: closing them cuts the requests they still hold, which the desk would wait for.
  await telegram?.close();
  await slack?.close();
  await desk?.stop();
  await pool?.end();
  await database?.drop();
});

interface Case {
  name: string;
  message: CustomerMessage;
  /** How many send calls to this customer fail before the fault clears (Infinity: never clears). */
  failures: number;
}

const QUESTION = 'How do I reset my password?';

describe('platform faults on the send side', () => {
  it('each transient fault ends with one delivered reply, a permanent one is marked failed, and the desk stays up', async () => {
    const telegramFaults: Array<Omit<Case, 'message'> & { fault: TelegramFault }> = [
      { name: 'telegram 429 retry_after 1', fault: telegramErrors.tooManyRequests(1), failures: 1 },
      { name: 'telegram 500', fault: telegramErrors.internalServerError(), failures: 2 },
      { name: 'telegram no answer', fault: { network: 'hang' }, failures: 1 },
      { name: 'telegram connection reset', fault: { network: 'reset' }, failures: 1 },
      { name: 'telegram 403 blocked (permanent)', fault: telegramErrors.blocked(), failures: Infinity },
    ];
    const slackFaults: Array<Omit<Case, 'message'> & { fault: SlackFault }> = [
      { name: 'slack 429 Retry-After 1', fault: { status: 429, retryAfterSec: 1 }, failures: 1 },
      { name: 'slack HTTP 500', fault: { httpStatus: 500 }, failures: 2 },
      { name: 'slack no answer', fault: { network: 'hang' }, failures: 1 },
      { name: 'slack connection reset', fault: { network: 'reset' }, failures: 1 },
      { name: 'slack channel_not_found (permanent)', fault: { error: 'channel_not_found' }, failures: Infinity },
    ];
    const telegramCases = telegramFaults.map((c, n) => ({ ...c, message: telegramCustomerMessage(n, QUESTION) }));
    const slackCases = slackFaults.map((c, n) => ({ ...c, message: slackCustomerMessage(n, QUESTION) }));
    for (const c of telegramCases) {
      telegram.injectFault('sendMessage', c.fault, { times: c.failures, match: (p) => String(p.chat_id) === c.message.chat });
    }
    for (const c of slackCases) {
      slack.injectFault('chat.postMessage', c.fault, { times: c.failures, match: (p) => String(p.channel) === c.message.chat });
    }
    const cases: Case[] = [...telegramCases, ...slackCases];
    const transient = cases.filter((c) => Number.isFinite(c.failures));
    const permanent = cases.filter((c) => !Number.isFinite(c.failures));

    const ledger = new ReplyLedger({ telegram, slack }).start();
    desk = await startSolodesk({ env: { ...deskEnv({ telegram, slack }), DATABASE_URL: database.url } });
    client = new WebhookClient(desk.origin);
    const deliveries = await Promise.all(cases.map((c) => deliverUntilAcknowledged(client!, c.message)));
    expect(deliveries.map((attempts) => isAck(attempts.at(-1)!))).toEqual(cases.map(() => true));

    const failedCalls = (c: Case): number => c.message.platform === 'telegram'
      ? telegram.calls.filter((call) => call.method === 'sendMessage' && String(call.payload.chat_id) === c.message.chat && call.failed !== undefined).length
      : slack.calls.filter((call) => call.method === 'chat.postMessage' && String(call.payload.channel) === c.message.chat && call.error !== undefined).length;
    const finalStatus = async (c: Case): Promise<Array<Record<string, unknown>>> =>
      query(`SELECT status::text AS status, "lastError" AS error FROM "Outbox" WHERE "chatKey" = '${c.message.platform}:${c.message.chat}'`);

    await waitUntil(async () => {
      ledger.poll();
      if (transient.some((c) => ledger.repliesTo(c.message.chat).length === 0)) return false;
      const work = await unfinishedWork(query);
      return work.outbox === 0 && work.inbox === 0;
    }, {
      timeoutMs: 50_000,
      label: 'every transient fault recovered and nothing left to send',
      describe: async () => JSON.stringify(await Promise.all(cases.map(async (c) => ({
        name: c.name, replies: ledger.repliesTo(c.message.chat).length, failedCalls: failedCalls(c), outbox: await finalStatus(c),
      })))),
    });
    ledger.stop();

    // Every fault was really met, as often as it was scripted.
    expect(transient.map((c) => `${c.name}: ${failedCalls(c)} failed`)).toEqual(transient.map((c) => `${c.name}: ${c.failures} failed`));
    expect(permanent.map((c) => failedCalls(c) >= 1)).toEqual(permanent.map(() => true));
    // Transient: the reply arrived exactly once, and its row is sent.
    expect(transient.map((c) => `${c.name}: ${ledger.repliesTo(c.message.chat).length}`)).toEqual(transient.map((c) => `${c.name}: 1`));
    for (const c of transient) expect((await finalStatus(c)).map((r) => r.status)).toEqual(['sent']);
    // Permanent: nothing delivered, the row failed for good with the platform's reason, and it was tried once.
    expect(permanent.map((c) => ledger.repliesTo(c.message.chat).length)).toEqual([0, 0]);
    const permanentRows = await Promise.all(permanent.map(finalStatus));
    expect(permanentRows.map((rows) => rows.map((r) => r.status))).toEqual([['failed'], ['failed']]);
    expect(String(permanentRows[0]![0]!.error)).toMatch(/blocked/i);
    expect(String(permanentRows[1]![0]!.error)).toMatch(/channel_not_found/);
    expect(permanent.map(failedCalls)).toEqual([1, 1]);

    // The desk is up and healthy, and a new customer is still answered.
    expect(desk.alive()).toBe(true);
    expect((await fetch(`${desk.origin}/healthz`)).status).toBe(200);
    const after = telegramCustomerMessage(50, QUESTION);
    expect(isAck((await deliverUntilAcknowledged(client, after)).at(-1)!)).toBe(true);
    await telegram.waitFor((call) => call.method === 'sendMessage' && String(call.payload.chat_id) === after.chat && call.result !== undefined, 10_000);
  }, 120_000);
});
