import type { Delivery, SendResult, Sender } from '../../core/ports.ts';
import { PlatformApiError, RateLimitedError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { WechatApiError, type OfficialApi } from './api.ts';
import { renderPlainReply, splitText, type TypedRatings } from '../../core/plain-reply.ts';
import { OA_TEXT_LIMIT_BYTES } from './format.ts';
import { WECHAT_OA_CHANNEL } from './parse.ts';

// The outbound side: one outbox row → one or more custom/send texts to the follower's open id.
// No retries of our own but the token refresh (api.ts): errors are mapped and thrown, and the
// outbox reschedules, or stops and tells the founder (a delivery report) when it is permanent.

/** 45047: too many messages since the follower last wrote; 45009: the account's daily quota. */
export const OA_RATE_LIMITED_RETRY_MS = { 45047: 60_000, 45009: 60 * 60_000 } as const;
/** WeChat publishes no per-second limit for custom/send; this stays well under the API's burst limits. */
export const OA_LIMITS = { perSecond: 20 } as const;

const WINDOW_CLOSED =
  'WeChat allows customer-service messages only within 48 hours of the follower\'s last message (errcode 45015); the reply will reach them only if they write again';

export interface OfficialSenderDeps {
  api: OfficialApi;
  logger: Logger;
  /** Told what rating each follower was offered, so a typed "1"/"2" back counts as its press. */
  ratings: TypedRatings;
}

/**
 * errcode → the outbox's error shapes: 45015 (48-hour window closed) permanent with a reason the
 * founder can act on; 45047/45009 rate limited; -1 (WeChat busy) transient; 40003 (not a follower
 * of this account) and 43004 (unfollowed) permanent; every other errcode permanent.
 */
export function toSenderError(error: unknown): Error {
  if (!(error instanceof WechatApiError)) return error instanceof Error ? error : new Error(String(error));
  const { errcode } = error;
  if (errcode === 45015) return new PlatformApiError(WINDOW_CLOSED, { permanent: true, reason: 'rejected', cause: error });
  if (errcode === 45047 || errcode === 45009) return new RateLimitedError(OA_RATE_LIMITED_RETRY_MS[errcode], { cause: error });
  if (errcode === -1) return new PlatformApiError(`${error.message} (WeChat busy; retried later)`, { permanent: false, cause: error });
  if (errcode === 43004) return new PlatformApiError(`${error.message} (the follower unfollowed the account)`, { permanent: true, reason: 'blocked', cause: error });
  if (errcode === 40003) return new PlatformApiError(error.message, { permanent: true, reason: 'chat_not_found', cause: error });
  return new PlatformApiError(error.message, { permanent: true, reason: 'rejected', cause: error });
}

export function createOfficialSender(deps: OfficialSenderDeps): Sender {
  // How many parts of an unfinished delivery went out: a retry resumes after them, so nobody
  // reads the same paragraph twice. Bounded; forgotten when the delivery is done or given up.
  const sentParts = new Map<string, number>();
  return {
    channel: WECHAT_OA_CHANNEL,
    limits: OA_LIMITS,
    async send(delivery: Delivery): Promise<SendResult> {
      const payload = delivery.payload;
      if (payload.type !== 'customer_message' || !('message' in payload)) {
        throw new PlatformApiError(`the wechat_oa sender cannot deliver a ${payload.type} notice`, { permanent: true, reason: 'rejected' });
      }
      const { message } = payload;
      const parts = splitText(renderPlainReply(message), { maxBytes: OA_TEXT_LIMIT_BYTES });
      const ids: string[] = [];
      for (let i = sentParts.get(delivery.id) ?? 0; i < parts.length; i++) {
        try {
          const answer = await deps.api.call('message/custom/send', { touser: message.chatId, msgtype: 'text', text: { content: parts[i] } });
          ids.push(typeof answer.msgid === 'string' || typeof answer.msgid === 'number' ? String(answer.msgid) : `${message.chatId}:${delivery.id}:${i}`);
        } catch (error) {
          const mapped = toSenderError(error);
          if (mapped instanceof PlatformApiError && mapped.permanent) sentParts.delete(delivery.id);
          deps.logger.warn({ err: mapped, deliveryId: delivery.id, part: i + 1, parts: parts.length }, 'wechat_oa send refused');
          throw mapped;
        }
        sentParts.delete(delivery.id);
        sentParts.set(delivery.id, i + 1);
        if (sentParts.size > 10_000) sentParts.delete(sentParts.keys().next().value!);
      }
      sentParts.delete(delivery.id);
      deps.ratings.offer(message.chatId, message.buttons);
      return { platformMessageIds: ids };
    },
  };
}
