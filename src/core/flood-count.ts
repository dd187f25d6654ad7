import type { Tx } from './outbox.ts';

// Which of a customer's messages count towards the flood rule (FLOOD_LIMIT_PER_MINUTE).

/** What answers the bot rather than writing to it: a typed pick from its list or a typed rating. */
const ANSWERS_TO_THE_BOT = ['pick', 'rate'];

/**
 * The customer's messages of the last minute (on every channel) that count towards the flood
 * limit: words they wrote. A button press (kind `action`: 👍/👎, a pick, a rating) and a typed pick
 * or rating (known by its inbox outcome) are the customer answering the bot, and trying the bot
 * quickly is not flooding it.
 */
export async function countFloodingMessages(db: Tx, customerId: string, now: Date): Promise<number> {
  const written = await db.message.findMany({
    where: {
      author: 'customer',
      direction: 'inbound',
      kind: 'text',
      conversation: { customerId },
      createdAt: { gte: new Date(now.getTime() - 60_000) },
    },
    select: { channel: true, platformMessageId: true },
  });
  const keys = written.flatMap((m) => (m.platformMessageId === null ? [] : [{ channel: m.channel, platformMessageId: m.platformMessageId }]));
  if (keys.length === 0) return written.length;
  const answers = await db.inboundEvent.count({ where: { outcome: { in: ANSWERS_TO_THE_BOT }, OR: keys } });
  return written.length - answers;
}
