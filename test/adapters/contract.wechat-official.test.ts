import { handleFounderMessage } from '../../src/core/founder/founder-message.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { RECORDED_NOTICES, runChannelContract, type ContractSession, type InboundHandle } from './contract.ts';
import { startOfficialHarness, type Callback } from './wechat-official/harness.ts';

// The real Official Account channel behind the service's HTTP server, signed callbacks in, the
// fake WeChat API (token, custom/send) out, a real desk with examples/kb. WeChat retries a
// callback it got no answer to (the same MsgId again), and can refuse a send: 45047 (too many
// messages) is the 429, 45015 (48-hour window closed) the permanent error.
//
// The Official Account is no founder console: the founder side is a recorder of the core's
// notices (JSON) and the core's own reading of what the founder types, as the WeChat driver does.

/** What the sender asks the outbox to wait after 45047 (OA_RATE_LIMITED_RETRY_MS); the clock is moved past it. */
const RETRY_AFTER_MS = 60_000;

const OPEN_IDS: Record<string, string> = { ada: 'oAda_openid_contract', bob: 'oBob_openid_contract' };
const openIdOf = (customer: { id: string }): string => {
  const id = OPEN_IDS[customer.id];
  if (id === undefined) throw new Error(`no open id for ${customer.id}`);
  return id;
};

interface OfficialHandle extends InboundHandle {
  callback: Callback;
}

async function start(): Promise<ContractSession> {
  const h = await startOfficialHarness();
  await importKbDirectory(h.desk.kb, 'examples/kb', 'test');
  await h.desk.kb.sync(true);
  const prisma = h.desk.database.db.prisma;
  let founderCounter = 0;
  const expect200 = (answer: { status: number }): void => {
    if (answer.status !== 200) throw new Error(`the callback was answered ${answer.status}`);
  };
  return {
    core: h.desk.core,
    async customerSays(text, customer) {
      const openId = openIdOf(customer);
      const callback = h.text(openId, text);
      expect200(await h.deliver(callback));
      return { from: `wechat_oa:${openId}`, callback } satisfies OfficialHandle;
    },
    async redeliver(handle) {
      expect200(await h.deliver((handle as OfficialHandle).callback));
    },
    async deliverUnsigned(text, customer) {
      const statuses: number[] = [];
      for (const signature of ['0'.repeat(40), '', 'not-a-signature']) statuses.push((await h.deliver(h.text(openIdOf(customer), text), { signature })).status);
      return statuses;
    },
    async founderReplies(conversationId, text) {
      await handleFounderMessage(h.desk.core.founder, { conversationId, text, founder: 'contract', platformMessageId: `founder-${++founderCounter}` });
    },
    customerReceived: () => h.wechat.delivered().map((s) => ({ to: `wechat_oa:${s.touser}`, text: s.content })),
    founderConsoleReceived: () => h.founder.notices().map((n) => JSON.stringify(n)),
    failNextSend(kind, customer) {
      h.wechat.failNextSend(kind === 'rate_limited' ? 45047 : 45015, { touser: openIdOf(customer) });
    },
    customerSendAttempts: (customer) => h.wechat.sends.filter((s) => s.touser === openIdOf(customer)).map((s) => ({ refused: s.failed !== undefined })),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    advanceClock: (ms) => h.clock.advance(ms),
    async settle() {
      await h.desk.drain();
    },
    close: () => h.close(),
  };
}

runChannelContract('wechat_oa', {
  capabilities: {
    multipleCustomers: true,
    // WeChat never hands an Official Account its own customer-service messages back.
    ownMessagesArrive: false,
    redelivery: true,
    authenticity: true,
    founderConsole: false,
    platformErrors: true,
    noticesQuoteCustomer: true,
  },
  rendering: RECORDED_NOTICES,
  retryAfterMs: RETRY_AFTER_MS,
  start,
});
