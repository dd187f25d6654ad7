import type { Update } from 'grammy/types';
import { conversationTag } from '../../src/adapters/telegram/founder.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { telegramErrors } from '../fakes/telegram-bot-api.ts';
import { textUpdate } from '../fixtures/telegram/updates.ts';
import { TestClock } from '../support/test-clock.ts';
import { createTestDesk } from '../support/test-desk.ts';
import { runChannelContract, type ContractSession, type InboundHandle } from './contract.ts';
import { FOUNDER_ID, SECRET, startHarness } from './telegram/harness.ts';
import { checkTelegramHtml } from './telegram/telegram-html.ts';

// The real grammY channel in webhook mode behind our HTTP server, the fake Bot API, a real desk
// with examples/kb; Telegram is also the founder console (FOUNDER_TELEGRAM_IDS, no Slack).

/** The retry_after (seconds) the fake answers a 429 with; the test clock is moved past it, never waited for. */
const RETRY_AFTER_S = 30;

/** Test customer ids → Telegram user/chat ids (private chats: chat id = user id). */
const CHAT_IDS: Record<string, number> = { ada: 5550101, bob: 5550202 };
const chatOf = (customer: { id: string }): number => {
  const id = CHAT_IDS[customer.id];
  if (id === undefined) throw new Error(`no Telegram id for ${customer.id}`);
  return id;
};

/** Methods that put a message in a chat (not sendChatAction). */
const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendVoice', 'sendAudio', 'sendVideo', 'sendAnimation', 'sendSticker']);

interface TelegramInbound extends InboundHandle {
  update: Update;
}

const visible = (html: string | undefined): string => checkTelegramHtml(html ?? '').visible;

async function start(): Promise<ContractSession> {
  // The desk is made here so its core runs on a clock the test moves (check 8).
  const clock = new TestClock();
  const desk = await createTestDesk({ clock });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  const h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID], desk });
  // The dispatcher's per-chat spacing (1 message/s) is the dispatcher's own test; unthrottled
  // here so an exchange needs no real waiting. Everything else is the real sender.
  for (const sender of h.channel.senders) h.desk.core.dispatcher.registerSender({ channel: sender.channel, send: (d) => sender.send(d) });
  let nextUpdate = 1;
  let nextMessage = 100;
  const prisma = h.desk.database.db.prisma;

  return {
    core: h.desk.core,
    async customerSays(text, customer) {
      const chat = chatOf(customer);
      const update = textUpdate({ updateId: nextUpdate++, chatId: chat, fromId: chat, messageId: nextMessage++, text, firstName: customer.id });
      const response = await h.post(update);
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      return { from: `telegram:${chat}`, update } satisfies TelegramInbound;
    },
    async botSays(text, customer) {
      // The bot's own message in the customer's chat, as Telegram would echo it (from = the bot).
      const chat = chatOf(customer);
      const update = textUpdate({ updateId: nextUpdate++, chatId: chat, fromId: h.fake.botInfo.id, messageId: nextMessage++, text });
      const message = update.message as unknown as Record<string, unknown>;
      message.from = { id: h.fake.botInfo.id, is_bot: true, first_name: h.fake.botInfo.first_name, username: h.fake.botInfo.username };
      expect200(await h.post(update));
    },
    async redeliver(handle) {
      expect200(await h.post((handle as TelegramInbound).update));
    },
    async deliverUnsigned(text, customer) {
      const chat = chatOf(customer);
      const update = textUpdate({ updateId: nextUpdate++, chatId: chat, fromId: chat, messageId: nextMessage++, text });
      const statuses: number[] = [];
      for (const secret of ['not-the-secret', `${SECRET}x`, null]) statuses.push((await h.post(update, secret)).status);
      return statuses;
    },
    async founderReplies(conversationId, text) {
      // A Telegram "reply" to the newest notice tagged with this conversation.
      const tag = conversationTag(conversationId);
      const notice = h.sentTo(FOUNDER_ID).filter((m) => (m.text ?? '').includes(tag)).at(-1);
      if (notice === undefined) throw new Error(`no notice for ${tag} in the founder's chat`);
      const update = textUpdate({
        updateId: nextUpdate++, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId: nextMessage++, text,
        replyTo: { messageId: notice.message_id, text: visible(notice.text), isBot: true, fromId: h.fake.botInfo.id },
      });
      expect200(await h.post(update));
    },
    customerReceived: () =>
      h.fake.sent().filter((m) => Number(m.chat_id) !== FOUNDER_ID).map((m) => ({ to: `telegram:${m.chat_id}`, text: visible(m.text) })),
    founderConsoleReceived: () => h.sentTo(FOUNDER_ID).map((m) => visible(m.text)),
    failNextSend(kind, customer) {
      const chat = chatOf(customer);
      h.fake.injectFault('sendMessage', kind === 'rate_limited' ? telegramErrors.tooManyRequests(RETRY_AFTER_S) : telegramErrors.blocked(), {
        match: (p) => Number(p.chat_id) === chat,
      });
    },
    customerSendAttempts: (customer) =>
      h.fake.calls.filter((c) => SEND_METHODS.has(c.method) && Number(c.payload.chat_id) === chatOf(customer)).map((c) => ({ refused: c.failed !== undefined })),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    advanceClock: (ms) => clock.advance(ms),
    async settle() {
      await h.desk.drain();
    },
    async close() {
      await h.close();
      await desk.dispose();
    },
  };
}

function expect200(response: Response): void {
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
}

runChannelContract('telegram', {
  capabilities: {
    multipleCustomers: true,
    ownMessagesArrive: true,
    redelivery: true,
    authenticity: true,
    founderConsole: true,
    platformErrors: true,
    noticesQuoteCustomer: true,
  },
  // Each notice is a message tagged #c<conversation> (so the founder can reply to any of them);
  // the words are core's (notice-view.ts), matched loosely so rewording does not break the contract.
  rendering: {
    escalation: /Escalation #c[0-9a-f]{32}/,
    customerFollowup: /Customer #c[0-9a-f]{32}/,
    status: /#c[0-9a-f]{32}[^\n]*\bresolved\b/,
    delivered: /#c[0-9a-f]{32}[^\n]*(?<!not )\bdelivered\b/,
    notDelivered: /#c[0-9a-f]{32}[^\n]*\bnot delivered\b/,
    filesNotRelayed: /#c[0-9a-f]{32}[\s\S]*not sent to the customer/,
    // A channel's event: its own mark, and no #c tag (it is no conversation's).
    channelEvent: /^(?![\s\S]*#c[0-9a-f]{32})📡 [^\n]*\bscan the QR code\b/,
  },

  retryAfterMs: RETRY_AFTER_S * 1000,
  start,
});
