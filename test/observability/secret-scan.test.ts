import { afterEach, describe, expect, it, vi } from 'vitest';
import { deskParts } from '../../src/channels.ts';
import { loadConfig } from '../../src/config/env.ts';
import { FOUNDER_CHANNEL } from '../../src/core/ports.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-web-api.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { textUpdate } from '../fixtures/telegram/updates.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../support/test-database.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { startFlakyProxy, type FlakyProxy } from './flaky-proxy.ts';
import { TestClock } from '../support/test-clock.ts';

// The secret scan: the real service (startService + deskParts) with every secret configured and
// platforms that fail — Telegram unreachable (its SDK's network error holds the request URL, and
// the URL holds the bot token), Slack refusing Socket Mode and every post, an LLM server that is
// not there — then a recovery and customer messages whose replies fail. Everything written
// (log lines, console, stdout, stderr) is searched for every secret, raw and URL-encoded.

const TELEGRAM_TOKEN = '424242:SecretScanTelegramToken_abcdef';
const SECRETS = {
  TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
  TELEGRAM_WEBHOOK_SECRET: 'secret-scan-webhook-secret',
  SLACK_BOT_TOKEN: 'xoxb-secret-scan-bot-token',
  SLACK_APP_TOKEN: 'xapp-secret-scan-app-token',
  SLACK_SIGNING_SECRET: 'secret-scan-signing-secret',
  OPENAI_API_KEY: 'sk-secret-scan-openai-key',
  WECHATY_PUPPET_TOKEN: 'secret-scan-wechaty-token',
};

let service: RunningService | undefined;
let telegram: FakeTelegram | undefined;
let proxy: FlakyProxy | undefined;
let slack: FakeSlack | undefined;
let pgUrl: string | undefined;

afterEach(async () => {
  await service?.stop();
  await proxy?.close();
  await telegram?.close();
  await slack?.close();
  if (pgUrl) await dropPostgresDatabase(pgUrl);
  service = proxy = telegram = slack = pgUrl = undefined;
  vi.restoreAllMocks();
});

/** Everything the process prints while the test runs, besides the service's own logger. */
function captureProcessOutput(): () => string {
  const printed: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, Object.getOwnPropertyNames(a ?? {})))).join(' '));
    });
  }
  const stdout = vi.spyOn(process.stdout, 'write');
  const stderr = vi.spyOn(process.stderr, 'write');
  return () => [...printed, ...[...stdout.mock.calls, ...stderr.mock.calls].map((call) => String(call[0]))].join('\n');
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('secrets in the output of a failing service', () => {
  it('appear nowhere: not in log lines, errors, stacks, SDK errors or URLs', async () => {
    const printedElsewhere = captureProcessOutput();
    const captured = captureLogger('trace');
    telegram = await startFakeTelegram({ token: TELEGRAM_TOKEN });
    proxy = await startFlakyProxy(telegram.apiRoot);
    slack = await startFakeSlack();
    slack.failNext('apps.connections.open', { error: 'invalid_auth' }, 1_000);
    slack.failNext('chat.postMessage', { error: 'fatal_error' }, 1_000);
    if (onPostgres) pgUrl = await createPostgresDatabase();
    const config = loadConfig({
      PORT: '0',
      SOLODESK_DATA_DIR: 'memory://',
      ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
      ...SECRETS,
      TELEGRAM_API_ROOT: proxy.url,
      SLACK_API_URL: slack.apiUrl,
      SLACK_FOUNDER_CHANNEL: 'CFOUNDER',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODE: 'draft',
      WECHATY_PUPPET: 'wechaty-puppet-mock',
    });
    // A clock that moves with real time too: the rows the database stamps are due when it says so.
    const clock = new TestClock();
    service = await startService(config, {
      logger: captured.logger,
      parts: deskParts(),
      clock,
      host: '127.0.0.1',
      retry: { firstDelayMs: 1_000 },
    });
    const base = `http://127.0.0.1:${service.port}`;
    const parts = async () => ((await (await fetch(`${base}/healthz`)).json()) as { parts: Record<string, string> }).parts;
    expect(await parts()).toMatchObject({ telegram: 'retrying', slack: 'retrying' });
    expect(proxy.resets).toBeGreaterThan(0);

    // Telegram comes back: the retry starts it, and the recovery is logged.
    proxy.pass();
    clock.advance(1_000);
    await waitFor('telegram running', async () => ((await parts()).telegram === 'running' ? true : undefined));

    // Then it goes away again while customers write: their replies fail on the network.
    proxy.fail();
    const post = (update: object, secret: string) =>
      fetch(`${base}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(update),
      });
    expect((await post(textUpdate({ updateId: 1, chatId: 7, fromId: 7, messageId: 1, text: 'hi' }), 'wrong-secret')).status).toBe(401);
    const answered = textUpdate({ updateId: 2, chatId: 7, fromId: 7, messageId: 2, text: 'How do I reset my password?' });
    const escalated = textUpdate({ updateId: 3, chatId: 8, fromId: 8, messageId: 3, text: 'I want to talk to a human' });
    expect((await post(answered, SECRETS.TELEGRAM_WEBHOOK_SECRET)).status).toBe(200);
    expect((await post(escalated, SECRETS.TELEGRAM_WEBHOOK_SECRET)).status).toBe(200);
    const prisma = service.context.db.prisma;
    await waitFor('failed deliveries on Telegram and to the founder on Slack', async () => {
      const failed = await prisma.outbox.findMany({ where: { lastError: { not: null } }, select: { channel: true } });
      const channels = new Set(failed.map((row) => row.channel));
      return channels.has('telegram') && channels.has(FOUNDER_CHANNEL) ? true : undefined;
    });
    await service.stop();
    service = undefined;

    const everything = `${captured.text()}\n${printedElsewhere()}`;
    // On PostgreSQL, the password of DATABASE_URL too, when the server wants one.
    const databasePassword = pgUrl ? decodeURIComponent(new URL(pgUrl).password) : '';
    const scanned = { ...SECRETS, ...(databasePassword ? { DATABASE_URL: databasePassword } : {}) };
    for (const [name, secret] of Object.entries(scanned)) {
      for (const form of [secret, encodeURIComponent(secret)]) expect(everything, name).not.toContain(form);
    }
    // The token's distinctive part alone, in case an SDK quoted it cut or re-encoded.
    expect(everything).not.toContain('SecretScanTelegramToken');
    // Not a vacuous pass: the failures were logged, the SDK's request URL included.
    const records = captured.records() as Array<{ msg?: string; err?: { message?: string } }>;
    const telegramDown = records.find((r) => r.msg === 'telegram did not start; retrying in 1 s, the rest keeps running');
    expect(telegramDown?.err?.message).toMatch(/request to http:\/\/127\.0\.0\.1:\d+\/bot.+\/getMe failed/);
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining(['slack did not start; retrying in 1 s, the rest keeps running', 'telegram recovered: running again']),
    );
  });
});
