import type { IncomingMessage, ServerResponse } from 'node:http';
import { webhookCallback, type Bot } from 'grammy';
import type { RawHandler } from '../../http/server.ts';
import type { Logger } from '../../observability/logger.ts';
import { safeError } from './errors.ts';

// POST /telegram/webhook on our own HTTP server. grammY's `webhookCallback` checks
// `X-Telegram-Bot-Api-Secret-Token` in constant time (401 on a wrong or missing one, before the
// body is read) and answers only after the middleware finished — the middleware awaits the core,
// which resolves after the message is committed: store before ack. A failure answers 500, so
// Telegram redelivers and the core drops what it already has.

export const WEBHOOK_PATH = '/telegram/webhook';
/** Telegram updates are small; anything bigger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookOptions {
  secretToken: string;
  token: string;
  logger: Logger;
  /** False before start and after stop: answer 503 so Telegram delivers again later. */
  accepting: () => boolean;
  /** How long one update may take before Telegram is answered 500 (default 10 s, grammY's). */
  timeoutMs?: number;
}

export function createWebhookHandler(bot: Bot, options: WebhookOptions): RawHandler {
  const callback = webhookCallback(bot, 'http', {
    secretToken: options.secretToken,
    onTimeout: 'throw',
    timeoutMilliseconds: options.timeoutMs ?? 10_000,
  });
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (!options.accepting()) {
      res.writeHead(503, { 'retry-after': '5' }).end();
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      res.writeHead(413).end();
      return;
    }
    try {
      await callback(req, res);
    } catch (error) {
      // BotError holds the grammY context (and through it the token): log a scrubbed copy only.
      options.logger.error({ err: safeError(error, options.token) }, 'telegram update not handled; Telegram will redeliver it');
      if (!res.headersSent) res.writeHead(500).end();
    }
  };
}
