import { handleFounderMessage } from '../../src/core/founder/founder-message.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { RECORDED_NOTICES, runChannelContract, type ContractSession, type InboundHandle } from './contract.ts';
import { KF, startWecomHarness } from './wecom/harness.ts';
import { RecordingSender } from '../support/test-desk.ts';
import { FOUNDER_CHANNEL } from '../../src/core/ports.ts';

// The real WeCom channel behind our HTTP server, the fake WeCom API, a real desk with examples/kb.
// A customer message is put in the fake's store and nudged with a signed, encrypted callback; a
// redelivery is WeCom calling the same callback again. Our own sends come back through sync_msg
// (origin 5), which is check 2.
//
// WeCom is a customer channel, not a founder console: the founder side is a recorder of the
// core's notices (JSON) plus the core's reading of what the founder types, as in the WeChat
// driver; checks 5 and 7 run against the WeCom sender, and checks 8 and 9 against the fake's
// errcodes (95001 rate limited, 95018 session closed). Check 6 (rendering notices) is not WeCom's.

/** Test customer ids → WeCom external_userid. */
const USERS: Record<string, string> = { ada: 'wmAJ2GCAAAada', bob: 'wmAJ2GCAAAbob' };
const userOf = (customer: { id: string }): string => USERS[customer.id] ?? `wm${customer.id}`;

async function start(): Promise<ContractSession> {
  const h = await startWecomHarness();
  await importKbDirectory(h.desk.kb, 'examples/kb', 'test');
  await h.desk.kb.sync(true);
  const founder = new RecordingSender(FOUNDER_CHANNEL);
  h.desk.core.dispatcher.registerSender(founder);
  const prisma = h.desk.database.db.prisma;
  let founderCounter = 0;
  const nudged = async (): Promise<void> => {
    const status = await h.nudge();
    if (status !== 200) throw new Error(`callback answered ${status}`);
  };
  return {
    core: h.desk.core,
    async customerSays(text, customer) {
      h.fake.customerText(KF, userOf(customer), text);
      await nudged();
      return { from: `wecom:${KF}:${userOf(customer)}` } satisfies InboundHandle;
    },
    async botSays(text, customer) {
      h.fake.push({ open_kfid: KF, external_userid: userOf(customer), origin: 5, msgtype: 'text', text: { content: text } });
      await nudged();
    },
    redeliver: () => nudged(),
    async deliverUnsigned() {
      return [await h.nudge(KF, { signature: '0'.repeat(40) }), await h.nudge(KF, { signature: '' })];
    },
    async founderReplies(conversationId, text) {
      await handleFounderMessage(h.desk.core.founder, { conversationId, text, founder: 'contract', platformMessageId: `founder-${++founderCounter}` });
    },
    customerReceived: () => h.fake.delivered().map((s) => ({ to: `wecom:${s.open_kfid}:${s.touser}`, text: s.content })),
    founderConsoleReceived: () => founder.notices().map((n) => JSON.stringify(n)),
    failNextSend(kind, customer) {
      h.fake.failNext('kf/send_msg', kind === 'rate_limited' ? 95001 : 95018, (body) => body.touser === userOf(customer));
    },
    customerSendAttempts: (customer) => h.fake.sends.filter((s) => s.touser === userOf(customer)).map((s) => ({ refused: s.refused !== undefined })),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    advanceClock: (ms) => h.clock.advance(ms),
    async settle() {
      await h.desk.drain();
    },
    close: () => h.close(),
  };
}

runChannelContract('wecom', {
  capabilities: {
    multipleCustomers: true,
    ownMessagesArrive: true,
    redelivery: true,
    authenticity: true,
    founderConsole: false,
    platformErrors: true,
    noticesQuoteCustomer: true,
  },
  // A stand-in console records the core's notices (WeCom is no founder console).
  rendering: RECORDED_NOTICES,
  retryAfterMs: 60_000,
  start,
});
