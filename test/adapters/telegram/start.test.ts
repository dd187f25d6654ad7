/**
 * "telegram did not start" when the Bot API cannot be reached: grammY's error holds the request
 * URL, `…/bot<token>/getMe`. What the channel throws, and what the service logs of it, must not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../../src/adapters/telegram/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { createDesk } from '../../../src/desk.ts';
import { createHttpServer } from '../../../src/http/server.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { startService } from '../../../src/service.ts';
import { startFakeTelegram } from '../../fakes/telegram-bot-api.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../../support/test-database.ts';
import { createTestDesk } from '../../support/test-desk.ts';
import { captureLogger } from '../../support/capture-logger.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-telegram-start-'));
let pgUrl: string | undefined;

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (pgUrl) await dropPostgresDatabase(pgUrl);
});

/** A Bot API root where nothing listens any more (a fake started, then closed), and its token. */
async function unreachableTelegram(): Promise<{ apiRoot: string; token: string }> {
  const fake = await startFakeTelegram();
  await fake.close();
  return { apiRoot: fake.apiRoot, token: fake.token };
}


describe('Telegram unreachable at start', () => {
  it('start() rejects with an error that names the failed call and never the token', async () => {
    const { apiRoot, token } = await unreachableTelegram();
    const desk = await createTestDesk();
    const { lines, logger } = captureLogger('debug');
    const metrics = createMetrics();
    const http = createHttpServer({ logger, metrics, readiness: () => ({ ready: true, details: {} }) });
    try {
      for (const env of [{}, { TELEGRAM_WEBHOOK_SECRET: 'webhook_Secret-123' }]) {
        const config = loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot, ...env });
        const channel = createTelegramChannel(channelContextOf({ config, core: desk.core, kb: desk.kb, http, logger, metrics }, desk.database.db));
        const error = (await channel.start().catch((e: unknown) => e)) as Error;
        expect(error).toBeInstanceOf(Error);
        expect(error.message).toMatch(/getMe/);
        expect(error.message).toContain('<token>');
        // Everything a logger or a crash dump could print of it.
        logger.error({ err: error }, 'telegram did not start');
        const rendered = [error.message, error.stack ?? '', JSON.stringify(error), String(error.cause ?? ''), ...lines].join('\n');
        expect(rendered).not.toContain(token);
        expect(rendered).not.toContain(encodeURIComponent(token));
        await channel.stop();
      }
    } finally {
      await desk.dispose();
    }
  });

  it('the service logs "telegram did not start" without the token and keeps running', async () => {
    const { apiRoot, token } = await unreachableTelegram();
    if (onPostgres) pgUrl ??= await createPostgresDatabase();
    const config = loadConfig({
      PORT: '0',
      SOLODESK_DATA_DIR: dataDir,
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: apiRoot,
      ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
    });
    const { lines, logger } = captureLogger('debug');
    const service = await startService(config, {
      logger,
      host: '127.0.0.1',
      parts: (context) => {
        const desk = createDesk(context);
        return [createTelegramChannel(channelContextOf({ ...context, core: desk.core, kb: desk.kb }, context.db))];
      },
    });
    try {
      const health = await fetch(`http://127.0.0.1:${service.port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await service.stop();
    }
    const log = lines.join('');
    expect(log).toContain('telegram did not start');
    expect(log).toContain('getMe');
    expect(log).not.toContain(token);
    expect(log).not.toContain(encodeURIComponent(token));
  });
});
