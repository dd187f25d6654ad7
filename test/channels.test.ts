import { afterEach, describe, expect, it } from 'vitest';
import { deskParts } from '../src/channels.ts';
import { loadConfig } from '../src/config/env.ts';
import { startService, type RunningService } from '../src/service.ts';
import { startFakeSlack, type FakeSlack } from './fakes/slack-web-api.ts';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram-bot-api.ts';
import { textUpdate } from './fixtures/telegram/updates.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from './support/test-database.ts';
import { silentLogger } from './support/silent-logger.ts';

// `solodesk start` as a whole: configuration in, every configured channel running against the
// platform fakes, one message through Telegram all the way to an answer.

const SECRET = 'wiring-secret';
let service: RunningService | undefined;
let telegram: FakeTelegram | undefined;
let slack: FakeSlack | undefined;
let pgUrl: string | undefined;

afterEach(async () => {
  await service?.stop();
  await telegram?.close();
  await slack?.close();
  if (pgUrl) await dropPostgresDatabase(pgUrl);
  service = telegram = slack = pgUrl = undefined;
});

async function start(env: Record<string, string>) {
  if (onPostgres) pgUrl = await createPostgresDatabase();
  const config = loadConfig({ PORT: '0', SOLODESK_DATA_DIR: 'memory://', ...(pgUrl ? { DATABASE_URL: pgUrl } : {}), ...env });
  service = await startService(config, { logger: silentLogger(), parts: deskParts(), host: '127.0.0.1' });
  const health = (await (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json()) as { status: string; parts: Record<string, string> };
  return health;
}

describe('solodesk start with channels configured', () => {
  it('starts Telegram and Slack, imports the sample KB, and answers a Telegram customer', async () => {
    telegram = await startFakeTelegram();
    slack = await startFakeSlack();
    const health = await start({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-wiring',
      SLACK_SIGNING_SECRET: 'slack-secret',
      SLACK_API_URL: slack.apiUrl,
      SLACK_FOUNDER_CHANNEL: 'CFOUNDER',
      SLACK_FOUNDER_USERS: 'UFOUNDER',
    });
    expect(health).toMatchObject({ status: 'ok', parts: { kb: 'running', outbox: 'running', telegram: 'running', slack: 'running' } });
    expect(await service!.context.db.prisma.article.count()).toBeGreaterThan(10);

    const update = textUpdate({ updateId: 1, chatId: 42, fromId: 42, messageId: 1, text: 'How do I reset my password?' });
    const response = await fetch(`http://127.0.0.1:${service!.port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    expect(response.status).toBe(200);
    const sent = await telegram.waitFor((call) => call.method === 'sendMessage', 20_000);
    expect(String(sent.payload.text)).toContain('Reset your password');

    // Something the KB cannot answer reaches the founder's Slack channel.
    const question = textUpdate({ updateId: 2, chatId: 43, fromId: 43, messageId: 2, text: 'I want to talk to a human' });
    await fetch(`http://127.0.0.1:${service!.port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(question),
    });
    const root = await slack.waitFor((call) => call.method === 'chat.postMessage' && call.payload.channel === 'CFOUNDER', 20_000);
    expect(JSON.stringify(root.payload)).toContain('I want to talk to a human');
  });

  it('a broken channel does not stop the others', async () => {
    slack = await startFakeSlack();
    const closed = await startFakeTelegram();
    const deadRoot = closed.apiRoot;
    await closed.close();
    const health = await start({
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_API_ROOT: deadRoot,
      SLACK_BOT_TOKEN: 'xoxb-wiring',
      SLACK_SIGNING_SECRET: 'slack-secret',
      SLACK_API_URL: slack.apiUrl,
      SLACK_FOUNDER_CHANNEL: 'CFOUNDER',
    });
    expect(health.status).toBe('ok');
    expect(health.parts).toMatchObject({ telegram: 'retrying', slack: 'running', outbox: 'running' });
  });

  it.runIf(onPostgres)('two services starting together on an empty database both come up; the sample KB is imported once', async () => {
    pgUrl = await createPostgresDatabase();
    const config = loadConfig({ PORT: '0', DATABASE_URL: pgUrl });
    const both = await Promise.all(
      [1, 2].map(() => startService(config, { logger: silentLogger(), parts: deskParts(), host: '127.0.0.1' })),
    );
    try {
      for (const s of both) {
        const health = (await (await fetch(`http://127.0.0.1:${s.port}/healthz`)).json()) as { status: string };
        expect(health.status).toBe('ok');
      }
      const articles = await both[0]!.context.db.prisma.article.count();
      expect(articles).toBe((await import('node:fs')).readdirSync('examples/kb').length);
    } finally {
      await Promise.all(both.map((s) => s.stop()));
    }
  });
});
