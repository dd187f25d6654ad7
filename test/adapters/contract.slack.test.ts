import { botMessageEvent, dmMessageEvent } from '../fixtures/slack/events.ts';
import { eventCallbackBody, signSlackRequest } from '../fakes/slack-signing.ts';
import { TestClock } from '../support/test-clock.ts';
import { runChannelContract, type ContractSession, type InboundHandle } from './contract.ts';
import { FOUNDER_CHANNEL, nextTs, SECRET, startSlackHarness } from './slack/harness.ts';

// The real Bolt channel behind our HTTP server, the fake Slack Web API, signed requests, a real
// desk (empty KB: every question goes to the founder). Slack is both a customer channel (DMs to
// the app) and the founder console (one thread per conversation in the founder channel).

/** The Retry-After (seconds) the fake answers a 429 with; the test clock is moved past it, never waited for. */
const RETRY_AFTER_S = 30;

/** Test customer ids → Slack user and DM channel (distinct, so a reply to the user id would show). */
const ids = (customer: { id: string }) => ({ user: `U${customer.id.toUpperCase()}`, channel: `D${customer.id.toUpperCase()}` });

interface SlackInbound extends InboundHandle {
  body: string;
}

let events = 0;
const nextEventId = (): string => `EvContract${String(++events).padStart(6, '0')}`;

/** A Slack message (text and blocks) as one searchable string. */
function shownText(text: string | undefined, blocks: unknown): string {
  return [text ?? '', blocks === undefined ? '' : JSON.stringify(blocks)].join('\n');
}

async function start(): Promise<ContractSession> {
  // The core runs on a clock the test moves (check 8).
  const clock = new TestClock();
  const h = await startSlackHarness({}, { desk: { clock } });
  const prisma = h.desk.database.db.prisma;

  return {
    core: h.desk.core,
    async customerSays(text, customer) {
      const { user, channel } = ids(customer);
      const body = eventCallbackBody({ eventId: nextEventId(), event: dmMessageEvent({ text, ts: nextTs(), user, channel }) });
      const { status } = await h.post(body);
      if (status !== 200) throw new Error(`/slack/events answered ${status}`);
      return { from: `slack:${channel}`, body } satisfies SlackInbound;
    },
    async botSays(text, customer) {
      // What our own chat.postMessage echoes back as an event: user = the bot user, plus bot_id.
      const { channel } = ids(customer);
      const event = botMessageEvent({ text, ts: nextTs(), channel, channelType: 'im', asAppBot: true, botId: h.fake.botId, botUserId: h.fake.botUserId });
      const { status } = await h.post(eventCallbackBody({ eventId: nextEventId(), event }));
      if (status !== 200) throw new Error(`/slack/events answered ${status}`);
    },
    async redeliver(handle) {
      // Slack's retry: the same body (same event_id) with X-Slack-Retry-Num.
      const { status } = await h.post((handle as SlackInbound).body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
      if (status !== 200) throw new Error(`/slack/events answered ${status} to a retry`);
    },
    async deliverUnsigned(text, customer) {
      const { user, channel } = ids(customer);
      const body = eventCallbackBody({ eventId: nextEventId(), event: dmMessageEvent({ text, ts: nextTs(), user, channel }) });
      const forged: Array<Record<string, string>> = [
        { ...signSlackRequest({ body, signingSecret: SECRET }), 'x-slack-signature': `v0=${'0'.repeat(64)}` },
        { ...signSlackRequest({ body, signingSecret: 'not-the-signing-secret' }) },
        { ...signSlackRequest({ body, signingSecret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }) },
        { 'content-type': 'application/json' },
      ];
      const statuses: number[] = [];
      for (const headers of forged) statuses.push((await fetch(h.url, { method: 'POST', headers, body })).status);
      return statuses;
    },
    async founderReplies(conversationId, text) {
      const thread = await h.desk.core.founder.threadOf(conversationId);
      if (thread === null) throw new Error(`no founder thread for ${conversationId}`);
      const { status } = await h.founderReply(thread.threadTs, text);
      if (status !== 200) throw new Error(`/slack/events answered ${status} to the founder`);
    },
    customerReceived: () =>
      h.fake.posted().filter((m) => m.channel !== FOUNDER_CHANNEL).map((m) => ({
        to: `slack:${m.channel}${m.thread_ts === undefined ? '' : `/${m.thread_ts}`}`,
        text: m.text ?? '',
      })),
    founderConsoleReceived: () => {
      // Posts in the founder channel, and edits of its root messages (the status line lives there).
      const shown: string[] = [];
      for (const call of h.fake.calls) {
        if (call.response === undefined || call.payload.channel !== FOUNDER_CHANNEL) continue;
        if (call.method === 'chat.postMessage') shown.push(shownText(call.payload.text as string | undefined, call.payload.blocks));
        if (call.method === 'chat.update') shown.push(`(edited) ${shownText(call.payload.text as string | undefined, call.payload.blocks)}`);
      }
      return shown;
    },
    failNextSend(kind, customer) {
      const { channel } = ids(customer);
      h.fake.injectFault('chat.postMessage', kind === 'rate_limited' ? { status: 429, retryAfterSec: RETRY_AFTER_S } : { error: 'channel_not_found' }, {
        match: (p) => p.channel === channel,
      });
    },
    customerSendAttempts: (customer) =>
      h.fake.callsOf('chat.postMessage').filter((c) => c.payload.channel === ids(customer).channel).map((c) => ({ refused: c.error !== undefined })),
    storedMessages: () =>
      prisma.message.findMany({ orderBy: { createdAt: 'asc' }, select: { conversationId: true, author: true, text: true, deliveryState: true } }),
    advanceClock: (ms) => clock.advance(ms),
    async settle() {
      await h.drain();
    },
    close: () => h.close(),
  };
}

runChannelContract('slack', {
  capabilities: {
    multipleCustomers: true,
    ownMessagesArrive: true,
    redelivery: true,
    authenticity: true,
    founderConsole: true,
    platformErrors: true,
    noticesQuoteCustomer: true,
  },
  // Posts in the conversation's thread, and edits of its root message (`(edited) …`, where the
  // status line lives). The words are core's (notice-view.ts), matched loosely.
  rendering: {
    // The root message of the conversation's thread, with its Resolve button.
    escalation: /^(?!\(edited\) )[\s\S]*"action_id":"founder_resolve"/,
    customerFollowup: /^(?!\(edited\) )[^\n]*\bCustomer\b/,
    status: /^\(edited\) [\s\S]*\bresolved\b/,
    delivered: /^(?!\(edited\) )[^\n]*(?<!not )\bdelivered\b/,
    notDelivered: /^(?!\(edited\) )[^\n]*\bnot delivered\b/,
    filesNotRelayed: /^(?!\(edited\) )[^\n]*not sent to the customer/,
    // A message of its own (not an edit of a conversation's root), with the QR code as a link.
    channelEvent: /^(?!\(edited\) )[^\n]*\bscan the QR code\b[\s\S]*<https:[^|>]+\|Open the QR code>/,
  },

  retryAfterMs: RETRY_AFTER_S * 1000,
  start,
});
