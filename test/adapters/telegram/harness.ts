/**
 * An end-to-end Telegram desk: the real grammY channel (createTelegramChannel) on our real HTTP
 * server, talking to the loopback fake Bot API, wired to a real core + KB on a per-test database
 * (test/support/test-desk.ts). Logs are captured so tests can prove the token never shows.
 */
import type { Update } from 'grammy/types';
import { createTelegramChannel, type TelegramChannel, type TelegramChannelOptions } from '../../../src/adapters/telegram/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import type { CoreApi } from '../../../src/core/ports.ts';
import { createHttpServer, type HttpServer } from '../../../src/http/server.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { startFakeTelegram, type FakeTelegram, type SentTelegramMessage } from '../../fakes/telegram-bot-api.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { createTestDesk, settleDesk, type TestDesk } from '../../support/test-desk.ts';
import { captureLogger } from '../../support/capture-logger.ts';

export const SECRET = 'webhook_Secret-123';
export const FOUNDER_ID = 777000111;

export interface HarnessOptions {
  webhookSecret?: string;
  publicUrl?: string;
  founderIds?: number[];
  /** Slack configured: Telegram is then not the founder console. */
  slack?: boolean;
  channel?: TelegramChannelOptions;
  /** Reuse a desk (a restart against the same database). */
  desk?: TestDesk;
  fake?: FakeTelegram;
  /**
   * Decorates the real core the channel is given (e.g. one failing call, then the real thing):
   * for tests of the adapter's own handling of core failures.
   */
  wrapCore?: (core: CoreApi) => CoreApi;
}

export interface Harness {
  fake: FakeTelegram;
  desk: TestDesk;
  http: HttpServer;
  /** The adapter (a ChannelAdapter: name, capabilities, senders, start, stop; and `mode`). */
  channel: TelegramChannel;
  webhookUrl: string;
  logs: string[];
  /** POSTs an update to /telegram/webhook; `secret: null` sends no secret header. */
  post(update: Update, secret?: string | null): Promise<Response>;
  /** POSTs any body (a string, bytes, or a stream sent chunked, without Content-Length) with the secret. */
  postRaw(body: RequestInit['body'], init?: { headers?: Record<string, string> }): Promise<Response>;
  /** Drains the outbox until `check` holds (rate limits and retry-after push rows into the future). */
  settle<T>(check: () => T | Promise<T>, what?: string): Promise<NonNullable<T>>;
  sentTo(chatId: number): SentTelegramMessage[];
  /** Stops the channel and the HTTP server (not the desk or the fake). */
  stopChannel(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = options.fake ?? (await startFakeTelegram({ maxLongPollMs: 200 }));
  const desk = options.desk ?? (await createTestDesk());
  if (!options.desk) await importKbDirectory(desk.kb, 'examples/kb', 'test');
  const { logger, lines: logs } = captureLogger('debug');
  const metrics = createMetrics();
  const env: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
  };
  if (options.webhookSecret) env.TELEGRAM_WEBHOOK_SECRET = options.webhookSecret;
  if (options.publicUrl) env.PUBLIC_URL = options.publicUrl;
  if (options.founderIds) env.FOUNDER_TELEGRAM_IDS = options.founderIds.join(',');
  if (options.slack) Object.assign(env, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_FOUNDER_CHANNEL: 'CFOUNDER' });
  const config = loadConfig(env);
  const http = createHttpServer({ logger, metrics, readiness: () => ({ ready: true, details: {} }) });
  const core = options.wrapCore ? options.wrapCore(desk.core) : desk.core;
  const channel = createTelegramChannel(channelContextOf({ config, core, kb: desk.kb, http, logger, metrics }, desk.database.db), options.channel);
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(sender);
  const port = await http.listen(0, '127.0.0.1');
  await channel.start();
  const webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;

  let channelStopped = false;
  const stopChannel = async (): Promise<void> => {
    if (channelStopped) return;
    channelStopped = true;
    await channel.stop();
    await http.close(0);
  };

  return {
    fake,
    desk,
    http,
    channel,
    webhookUrl,
    logs,
    post(update, secret = options.webhookSecret ?? null) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
      return fetch(webhookUrl, { method: 'POST', headers, body: JSON.stringify(update) });
    },
    postRaw(body, init = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.webhookSecret) headers['x-telegram-bot-api-secret-token'] = options.webhookSecret;
      Object.assign(headers, init.headers);
      const streamed = typeof body === 'object' && body !== null && 'getReader' in body;
      return fetch(webhookUrl, { method: 'POST', headers, body, ...(streamed ? { duplex: 'half' } : {}) } as RequestInit);
    },
    settle: (check, what) => settleDesk(desk, check, what),
    sentTo: (chatId) => fake.sent().filter((m) => Number(m.chat_id) === chatId),
    stopChannel,
    async close() {
      await stopChannel();
      if (!options.desk) await desk.dispose();
      if (!options.fake) await fake.close();
    },
  };
}
