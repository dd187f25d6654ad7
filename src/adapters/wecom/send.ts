import { NetworkError, PlatformApiError, RateLimitedError } from '../../errors.ts';
import type { CustomerDelivery, Delivery, SendResult, Sender } from '../../core/ports.ts';
import { WecomApiError, type WecomApi } from './api.ts';
import { renderPlainReply, splitText, type TypedRatings } from '../../core/plain-reply.ts';
import { WECOM_TEXT_MAX_BYTES } from './format.ts';
import { parseWecomChatId, WECOM_CHANNEL } from './parse.ts';

// The outbound side: one outbox row → one or more kf/send_msg text messages. No retries here
// (the outbox reschedules what this throws), except the API client's one access-token refresh.

/** WeCom publishes no retry hint for its frequency limits; a minute is what its docs suggest waiting. */
export const WECOM_RATE_LIMIT_RETRY_MS = 60_000;
/** No per-chat limit is published; a reply in parts should still read in order, a moment apart. */
export const WECOM_LIMITS = { perChatIntervalMs: 500, perSecond: 20 } as const;

/** 95001: send_msg over its frequency limit; 45009: the API's call quota for now. */
const RATE_LIMITED = new Set([95001, 45009]);
/**
 * The session does not take our messages: WeCom lets customer service write only while the
 * session is with the API (not handed to a servicer or ended: 95016), and only within 48 hours of
 * the customer's last message, five messages at most (95018). Only the customer can reopen it.
 */
const SESSION_CLOSED = new Set([95018, 95016]);

export interface WecomSenderDeps {
  api: WecomApi;
  choices: TypedRatings;
}

export function createWecomSender(deps: WecomSenderDeps): Sender {
  // Parts of a long reply already delivered, so a retry resumes after them.
  const progress = new Map<string, number>();
  return {
    channel: WECOM_CHANNEL,
    limits: WECOM_LIMITS,
    async send(delivery: Delivery): Promise<SendResult> {
      const payload = delivery.payload;
      if (payload.type !== 'customer_message' || !('message' in payload)) {
        throw new PlatformApiError(`the wecom sender cannot deliver a ${payload.type} notice`, { permanent: true, reason: 'rejected' });
      }
      const { message } = payload as CustomerDelivery;
      const to = parseWecomChatId(message.chatId);
      if (to === null) throw new PlatformApiError(`"${message.chatId}" is not a WeCom chat (<open_kfid>:<external_userid>)`, { permanent: true, reason: 'chat_not_found' });
      const parts = splitText(renderPlainReply(message), { maxBytes: WECOM_TEXT_MAX_BYTES });
      const ids: string[] = [];
      for (let i = progress.get(delivery.id) ?? 0; i < parts.length; i++) {
        try {
          const answer = await deps.api.post<{ msgid?: string }>('kf/send_msg', {
            touser: to.externalUserId,
            open_kfid: to.openKfid,
            msgtype: 'text',
            text: { content: parts[i] },
          });
          if (answer.msgid) ids.push(answer.msgid);
        } catch (error) {
          const mapped = toSenderError(error);
          if (mapped instanceof PlatformApiError && mapped.permanent) progress.delete(delivery.id);
          throw mapped;
        }
        progress.set(delivery.id, i + 1);
      }
      progress.delete(delivery.id);
      deps.choices.offer(message.chatId, message.buttons);
      return { platformMessageIds: ids };
    },
  };
}

/**
 * WeCom's errcodes onto the core's error shapes: 95001/45009 → RateLimitedError; 95018/95016 →
 * permanent, saying why; -1 (WeCom busy, or HTTP trouble) → transient; every other errcode →
 * permanent `rejected`. Network failures stay NetworkError (transient). Messages carry no token.
 */
export function toSenderError(error: unknown): Error {
  if (error instanceof WecomApiError) {
    const { errcode } = error;
    if (RATE_LIMITED.has(errcode)) return new RateLimitedError(WECOM_RATE_LIMIT_RETRY_MS, { cause: error });
    if (SESSION_CLOSED.has(errcode)) {
      return new PlatformApiError(
        `${error.message} — the customer's WeCom session no longer accepts our messages (WeCom allows replies only while the session is with the API, within 48 hours of the customer's last message); it reopens when the customer writes again`,
        { permanent: true, status: errcode, reason: 'rejected' },
      );
    }
    if (errcode === -1) return new PlatformApiError(error.message, { permanent: false, status: errcode });
    return new PlatformApiError(error.message, { permanent: true, status: errcode, reason: 'rejected' });
  }
  if (error instanceof NetworkError) return error;
  return error instanceof Error ? error : new Error(String(error));
}
