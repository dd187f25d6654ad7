import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OverloadedError } from '../../errors.ts';
import { readBodyWithin } from '../../http/request-body.ts';
import type { RawHandler } from '../../http/server.ts';
import type { Logger } from '../../observability/logger.ts';
import { safeError, unwrapBotError } from './errors.ts';

// POST /telegram/webhook on our own HTTP server (not grammY's webhookCallback: its timeout answers
// 500 while the handler keeps running, and a late failure of that handler was an unhandled
// rejection that took the process down). Every request is answered exactly once, after the
// update was handled — store before ack — and nothing keeps running after the answer:
//   503 + Retry-After  not accepting (before start, after stop) or the core is overloaded
//   401                 wrong or missing X-Telegram-Bot-Api-Secret-Token (checked before the body)
//   413                 more than MAX_BODY_BYTES actually read (chunked bodies included)
//   400                 not JSON
//   200                 handled, a duplicate, ignored, or recorded as rejected (a poison update)
//   500                 not stored for another reason: Telegram redelivers, the core drops what it has

export const WEBHOOK_PATH = '/telegram/webhook';
/** Telegram updates are small; anything bigger is not from Telegram. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookOptions {
  secretToken: string;
  token: string;
  logger: Logger;
  /** False before start and after stop: answer 503 so Telegram delivers again later. */
  accepting: () => boolean;
  /**
   * Handles one parsed body: stores it or records it as rejected. Throws when neither happened
   * (OverloadedError when the core could not take it in time).
   */
  handle(body: unknown): Promise<void>;
  maxBodyBytes?: number;
}

/** Constant-time comparison of the secret header (hashes first, so lengths cannot leak either). */
export function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(header), digest(secret));
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, headers).end();
}


export function createWebhookHandler(options: WebhookOptions): RawHandler {
  const { logger, token } = options;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (!options.accepting()) return answer(res, 503, { 'retry-after': '5' });
      if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], options.secretToken)) return answer(res, 401);
      const read = await readBodyWithin(req, maxBodyBytes);
      // The client went away mid-body: nobody is left to answer.
      if (!read.ok && read.reason === 'aborted') return;
      if (!read.ok) {
        logger.warn({ limitBytes: maxBodyBytes }, 'telegram webhook body too large; refused');
        return answer(res, 413);
      }
      let body: unknown;
      try {
        body = JSON.parse(read.bytes.toString('utf8'));
      } catch {
        return answer(res, 400);
      }
      await options.handle(body);
      answer(res, 200);
    } catch (error) {
      const cause = unwrapBotError(error);
      if (cause instanceof OverloadedError) {
        logger.warn({ retryAfterMs: cause.retryAfterMs }, 'desk overloaded; Telegram will redeliver the update');
        return answer(res, 503, { 'retry-after': cause.retryAfterHeader });
      }
      // A BotError holds the grammY context (and through it the token): log a scrubbed copy only.
      logger.error({ err: safeError(cause, token) }, 'telegram update not stored; Telegram will redeliver it');
      answer(res, 500);
    }
  };
}
