import { handleFounderMessage } from '../../src/core/founder/founder-message.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { startWechatHarness, type MockContact, type WechatHarness } from './wechat/harness.ts';
import { RECORDED_NOTICES, runChannelContract, type ContractSession, type InboundHandle } from './contract.ts';

// The real Wechaty channel on wechaty-puppet-mock, on a real desk with examples/kb. The mock hands
// the bot its own sends back, and a redelivery is the same WeChat message id again. WeChat has no
// webhook to sign: the puppet's connection is the authentication.
//
// WeChat is not a founder console (the founder answers from Slack, Telegram or the terminal). The
// founder side here is a recorder of the notices (JSON) plus the core's own reading of what the
// founder types (handleFounderMessage, as every console does). It is declared a console anyway:
// with no console check and no platform-error check the contract's second block has no test at
// all, which vitest fails; and checks 5 and 7 (notes never sent, replies relayed and reported)
// are worth running against the WeChat sender. Check 6 then tests the core's notices, not WeChat.

interface WechatHandle extends InboundHandle {
  messageId: string;
}

async function start(): Promise<ContractSession> {
  const h: WechatHarness = await startWechatHarness();
  await importKbDirectory(h.desk.kb, 'examples/kb', 'test');
  await h.desk.kb.sync(true);
  const contacts = new Map<string, MockContact>();
  const contactFor = (customer: { id: string }): MockContact => {
    let contact = contacts.get(customer.id);
    if (contact === undefined) {
      contact = h.contact(customer.id);
      contacts.set(customer.id, contact);
    }
    return contact;
  };
  const prisma = h.desk.database.db.prisma;
  let founderCounter = 0;
  // The login's QR code and "logged in" went to the console already: the checks start after them.
  await h.settle(() => h.founder.notices().length >= 2, 'the login notices');
  const mark = h.founder.notices().length;
  return {
    core: h.desk.core,
    async customerSays(text, customer) {
      const contact = contactFor(customer);
      const messageId = await h.say(contact, text);
      const handle: WechatHandle = { from: `wechat:${contact.id}`, messageId };
      return handle;
    },
    async botSays(text, customer) {
      // The bot's own message in the customer's chat, as the puppet reports a send from the phone.
      contactFor(customer);
      await h.say(h.botUser, text);
    },
    async redeliver(handle) {
      await h.redeliver((handle as WechatHandle).messageId);
    },
    async founderReplies(conversationId, text) {
      await handleFounderMessage(h.desk.core.founder, { conversationId, text, founder: 'contract', platformMessageId: `founder-${++founderCounter}` });
    },
    customerReceived: () => h.allSaid().map(({ to, text }) => ({ to, text })),
    founderConsoleReceived: () => h.founder.notices().slice(mark).map((n) => JSON.stringify(n)),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    async settle() {
      // Each message is stored before say() returns (it awaits the adapter); this decides and
      // sends what followed, moving the clock past the one-send-a-second pacing.
      for (;;) {
        const handled = await h.desk.drain();
        const waiting = await prisma.outbox.count({ where: { status: 'pending' } });
        if (handled === 0 && waiting === 0) return;
        if (handled === 0) h.clock.advance(1_000);
      }
    },
    advanceClock: (ms) => h.clock.advance(ms),
    close: () => h.close(),
  };
}

runChannelContract('wechat', {
  capabilities: {
    multipleCustomers: true,
    ownMessagesArrive: true,
    redelivery: true,
    authenticity: false,
    // WeChat is a customer channel: the founder answers from another console, here a recorder of
    // the core's notices (so check 6, the rendering of notices, is not this adapter's).
    founderConsole: false,
    platformErrors: false,
    noticesQuoteCustomer: true,
  },
  rendering: RECORDED_NOTICES,
  start,
});
