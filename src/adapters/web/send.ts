import type { PrismaClient } from '@prisma/client';
import type { CustomerDelivery, Delivery, SendResult, Sender } from '../../core/ports.ts';
import { PlatformApiError } from '../../errors.ts';
import type { LiveFeed } from './live-feed.ts';
import { replyMessage, WEB_CHANNEL } from './web-message.ts';

// The outbound side: a reply is "delivered" when it is written to the visitor's open pages, or,
// with none open, when it waits in the core's records for the page's next catch-up (a mailbox,
// like e-mail: the web has no app to push to). So the web cannot refuse a send, and a reply sent
// while the tab slept is there when it wakes.

export function createWebSender(deps: { prisma: PrismaClient; feed: LiveFeed }): Sender {
  return {
    channel: WEB_CHANNEL,
    async send(delivery: Delivery): Promise<SendResult> {
      const payload = delivery.payload;
      if (payload.type !== 'customer_message') {
        throw new PlatformApiError(`the web sender cannot deliver a ${payload.type} notice`, { permanent: true, reason: 'rejected' });
      }
      const stored = await deps.prisma.message.findUnique({ where: { id: payload.messageId }, select: { author: true, createdAt: true } });
      const author = stored?.author === 'founder' ? 'founder' : 'bot';
      const message = replyMessage(payload as CustomerDelivery, author, stored?.createdAt ?? new Date());
      deps.feed.publish(payload.message.chatId, 'message', message);
      return { platformMessageIds: [payload.messageId] };
    },
  };
}
