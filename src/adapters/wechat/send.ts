import type { Wechaty } from 'wechaty';
import { PlatformApiError, RateLimitedError } from '../../errors.ts';
import type { CustomerDelivery, Delivery, SendResult, Sender } from '../../core/ports.ts';
import type { Clock } from '../../observability/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import { renderPlainReply, splitText, type TypedRatings } from '../../core/plain-reply.ts';
import { WECHAT_TEXT_LIMIT } from './format.ts';
import { WECHAT_CHANNEL } from './parse.ts';

// The outbound side: one outbox row → one or more `say`s to a contact or a room. No retries here:
// the outbox reschedules what this throws.

/**
 * While the account is logged out nothing can go out, however often it is tried, and a new login
 * can take hours (the founder must scan a QR code). Asking the outbox to come back later — a wait,
 * not a counted attempt — keeps the replies queued instead of failing them after a few tries.
 */
export const LOGGED_OUT_RETRY_MS = 30_000;

export interface WechatSenderDeps {
  /** The running bot (it is replaced when the session restarts). */
  bot(): Wechaty | undefined;
  logger: Logger;
  clock: Clock;
  choices: TypedRatings;
  perChatIntervalMs: number;
  maxPerMinute: number;
}

export function createWechatSender(deps: WechatSenderDeps): Sender {
  // The dispatcher spaces sends per chat and per second; a per-minute budget it has no window for,
  // so the sender keeps that one: the times of its sends in the last minute.
  const sentAt: number[] = [];
  // Parts of a long reply already delivered, so a retry resumes after them.
  const progress = new Map<string, number>();
  return {
    channel: WECHAT_CHANNEL,
    // One message a second at most, whatever the per-minute budget allows: WeChat restricts bursts.
    limits: { perChatIntervalMs: deps.perChatIntervalMs, perSecond: 1 },
    // Logged out, or the session is another process's (it holds the lease): the outbox leaves
    // WeChat's replies for when this process, or the one that holds the session, can send them.
    canSend: () => deps.bot()?.isLoggedIn === true,
    async send(delivery: Delivery): Promise<SendResult> {
      const payload = delivery.payload;
      if (payload.type !== 'customer_message' || !('message' in payload)) {
        throw new PlatformApiError(`the wechat sender cannot deliver a ${payload.type} notice`, { permanent: true, reason: 'rejected' });
      }
      const { message } = payload as CustomerDelivery;
      const bot = deps.bot();
      if (bot === undefined || !bot.isLoggedIn) throw new RateLimitedError(LOGGED_OUT_RETRY_MS, { cause: new Error('wechat is not logged in') });
      const now = deps.clock.now();
      while (sentAt.length > 0 && now - sentAt[0]! >= 60_000) sentAt.shift();
      if (sentAt.length >= deps.maxPerMinute) throw new RateLimitedError(60_000 - (now - sentAt[0]!));

      const target = await findTarget(bot, message.chatId, message.threadId !== undefined);
      const parts = splitText(renderPlainReply(message), { maxChars: WECHAT_TEXT_LIMIT });
      for (let i = progress.get(delivery.id) ?? 0; i < parts.length; i++) {
        try {
          // A room reply names the asker (threadId carries the asker's id for room conversations).
          const mention = target.kind === 'room' && i === 0 && message.threadId ? await contactOf(bot, message.threadId) : undefined;
          if (target.kind === 'room') await (mention ? target.room.say(parts[i]!, mention) : target.room.say(parts[i]!));
          else await target.contact.say(parts[i]!);
        } catch (error) {
          if (!bot.isLoggedIn) throw new RateLimitedError(LOGGED_OUT_RETRY_MS, { cause: error });
          throw error;
        }
        sentAt.push(deps.clock.now());
        progress.set(delivery.id, i + 1);
      }
      progress.delete(delivery.id);
      deps.choices.offer(message.chatId, message.buttons);
      // Puppets do not all return the id of what they sent; nothing here relies on it.
      return {};
    },
  };
}

type FoundRoom = NonNullable<Awaited<ReturnType<Wechaty['Room']['find']>>>;
type FoundContact = NonNullable<Awaited<ReturnType<Wechaty['Contact']['find']>>>;
type Target = { kind: 'room'; room: FoundRoom } | { kind: 'contact'; contact: FoundContact };

/**
 * The room or contact behind a chat id. A room conversation carries its asker as the thread (see
 * parse.ts); ids alone differ by puppet (`…@chatroom`, `@@…` on the web protocol). Wechaty finds
 * nothing when the puppet has no such contact or room (deleted the bot, bot left the room):
 * retrying cannot help then. A puppet that failed while logging out is a wait, not a failure.
 */
async function findTarget(bot: Wechaty, chatId: string, hasAsker: boolean): Promise<Target> {
  const isRoom = hasAsker || /@chatroom$|^@@/.test(chatId);
  let found: Target | undefined;
  try {
    if (isRoom) {
      const room = await bot.Room.find({ id: chatId });
      found = room && { kind: 'room', room };
    } else {
      const contact = await bot.Contact.find({ id: chatId });
      found = contact && { kind: 'contact', contact };
    }
  } catch (error) {
    if (!bot.isLoggedIn) throw new RateLimitedError(LOGGED_OUT_RETRY_MS, { cause: error });
    throw error;
  }
  if (found !== undefined) return found;
  if (!bot.isLoggedIn) throw new RateLimitedError(LOGGED_OUT_RETRY_MS);
  throw new PlatformApiError(`wechat ${isRoom ? 'room' : 'contact'} not found`, { permanent: true, reason: 'chat_not_found' });
}

async function contactOf(bot: Wechaty, id: string): Promise<FoundContact | undefined> {
  // Undefined when the asker left: the answer still goes to the room, without naming them.
  return bot.Contact.find({ id }).catch(() => undefined);
}
