import { handleFounderMessage } from '../../src/core/founder/founder-message.ts';
import { recentMessages } from '../../src/adapters/web/web-message.ts';
import { RECORDED_NOTICES, runChannelContract, type ContractSession, type InboundHandle, type Received } from './contract.ts';
import { startWebHarness, type WebClient } from './web/harness.ts';

// The real web chat channel behind the service's HTTP server, with a real desk and examples/kb.
// Each contract customer is one browser (a WebClient with its own session). A page resends a
// message it got no answer to with the same client message id (the redelivery); a request without
// a token we gave is refused (the authenticity check). What a customer received is their mailbox
// as a page's catch-up reads it (recentMessages), which is also what every reconnect shows.
//
// The web is no founder console: the founder side is a recorder of the core's notices and the
// core's own reading of what the founder types, as the WeChat drivers do. A web page cannot
// refuse a reply (checks 8 and 9 do not apply), and nothing of the bot's comes back in.

interface WebHandle extends InboundHandle {
  clientMessageId: string;
  client: WebClient;
}

async function start(): Promise<ContractSession> {
  const h = await startWebHarness();
  const prisma = h.desk.database.db.prisma;
  const browsers = new Map<string, { client: WebClient; visitorId: string }>();
  let received: Received[] = [];
  let counter = 0;
  let founderCounter = 0;
  const browserOf = async (customer: { id: string }): Promise<{ client: WebClient; visitorId: string }> => {
    let browser = browsers.get(customer.id);
    if (browser === undefined) {
      const client = h.client();
      const opened = await client.open({ name: customer.id });
      if (opened.status !== 200) throw new Error(`session answered ${opened.status}`);
      browser = { client, visitorId: opened.body.visitorId };
      browsers.set(customer.id, browser);
    }
    return browser;
  };
  const expect200 = (status: number): void => {
    if (status !== 200) throw new Error(`the message was answered ${status}`);
  };
  return {
    core: h.desk.core,
    async customerSays(text, customer) {
      const { client, visitorId } = await browserOf(customer);
      const clientMessageId = `contract-${++counter}-${customer.id}`;
      expect200((await client.say(clientMessageId, text)).status);
      return { from: `web:${visitorId}`, clientMessageId, client } satisfies WebHandle;
    },
    async redeliver(handle) {
      const { client, clientMessageId } = handle as WebHandle;
      const again = await client.say(clientMessageId, 'a resend carries the same words');
      expect200(again.status);
      if (!again.body.duplicate) throw new Error('a resent client message id was not taken as a duplicate');
    },
    async deliverUnsigned(text, customer) {
      const { client } = await browserOf(customer);
      const statuses: number[] = [];
      for (const authorization of ['', 'Bearer ', `Bearer ${'A'.repeat(43)}`, 'Basic dXNlcjpwYXNz']) {
        statuses.push((await client.request('POST', '/web/messages', { clientMessageId: `unsigned-${++counter}`, text }, { authorization })).status);
      }
      return statuses;
    },
    async founderReplies(conversationId, text) {
      await handleFounderMessage(h.desk.core.founder, { conversationId, text, founder: 'contract', platformMessageId: `founder-${++founderCounter}` });
    },
    customerReceived: () => received,
    founderConsoleReceived: () => h.founder.notices().map((n) => JSON.stringify(n)),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    advanceClock: (ms) => h.clock.advance(ms),
    async settle() {
      await h.desk.drain();
      const next: Received[] = [];
      for (const { visitorId } of browsers.values()) {
        for (const m of await recentMessages(prisma, visitorId)) if (m.author !== 'customer') next.push({ to: `web:${visitorId}`, text: m.text });
      }
      received = next;
    },
    close: () => h.close(),
  };
}

runChannelContract('web', {
  capabilities: {
    multipleCustomers: true,
    ownMessagesArrive: false,
    redelivery: true,
    authenticity: true,
    founderConsole: false,
    platformErrors: false,
    noticesQuoteCustomer: true,
  },
  rendering: RECORDED_NOTICES,
  start,
});
