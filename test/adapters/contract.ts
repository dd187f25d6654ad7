/**
 * The contract every channel adapter passes (STYLE.md "What we take" 8): each adapter's test
 * file drives the REAL adapter — grammY, Bolt, the terminal — against the local platform fakes
 * on a real database, through a small driver, and calls `runChannelContract(name, driver)`.
 *
 * Which checks apply where (a check that does not fit a transport is not registered at all,
 * chosen from the driver's declared capabilities):
 *
 *   check                                        telegram  slack  console  wechat
 *   1 platform ids round-trip                        ✓        ✓       ✓ (a)     ✓
 *   2 the bot's own messages are ignored             ✓        ✓       –         ✓
 *   3 a redelivery is stored and answered once       ✓        ✓       –         ✓
 *   4 bad secret / signature → 401, nothing stored   ✓        ✓       –         – (no inbound request)
 *   5 a founder note never reaches the customer      ✓        ✓       ✓         ✓
 *   6 every founder notice is rendered on the console ✓       ✓       ✓         – (no console)
 *   7 founder reply relayed + "delivered" reported   ✓        ✓       ✓         ✓
 *   8 a 429 is waited out, delivered exactly once    ✓        ✓       –         – (b)
 *   9 a permanent error stops and is reported        ✓        ✓       –         – (b)
 *
 *   (a) one customer per terminal; nothing of the bot's comes back in, a terminal never
 *       redelivers and has no secret; printing cannot be refused.
 *   (b) the mock puppet cannot refuse a send; test/adapters/wechat/send.test.ts covers a
 *       contact that cannot be found.
 *
 * Checks 1–4 and 6–9 each get a fresh desk, adapter and fakes; the note spellings (5) share one
 * escalated conversation. No check waits on real time: the pipeline is drained (settle), and a
 * 429's retry_after is passed by moving the core's TestClock (advanceClock).
 *
 * Addresses are opaque, platform-prefixed strings (`telegram:5550101`, `slack:DADA`,
 * `console:ada`): the driver says where an inbound came from, and where the platform was asked
 * to deliver each reply, so the contract compares the two without knowing any platform.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../src/core/ports.ts';

/** What a transport can do; a check whose capability is false is not registered. */
export interface ContractCapabilities {
  /** Several customers can write through one session (a terminal has one). */
  multipleCustomers: boolean;
  /** The platform can hand the bot its own messages back (check 2). */
  ownMessagesArrive: boolean;
  /** The platform redelivers (same update / event id) (check 3). */
  redelivery: boolean;
  /** Inbound requests carry a secret or a signature (check 4). */
  authenticity: boolean;
  /**
   * The founder console lives on this transport (check 6: it renders every notice). Checks 5 and
   * 7 are about the customer's side and run for every adapter; a driver whose transport is no
   * console drives the founder through a stand-in console that records the core's notices.
   */
  founderConsole: boolean;
  /** The platform can refuse a send: 429, blocked, channel_not_found (checks 8, 9). */
  platformErrors: boolean;
  /** Escalation and follow-up notices quote the customer's words (a terminal does not: the founder just read them there). */
  noticesQuoteCustomer: boolean;
}

/** How this console shows each founder notice (matched against founderConsoleReceived()). */
export interface NoticeRendering {
  escalation: RegExp;
  customerFollowup: RegExp;
  status: RegExp;
  delivered: RegExp;
  notDelivered: RegExp;
  filesNotRelayed: RegExp;
  /**
   * A channel's event (WeChat's login QR code), shown outside every conversation. Optional so a
   * driver written before it keeps compiling; without it the core's title words are looked for.
   */
  channelEvent?: RegExp;
}

/** The core's words for a login QR code event (notice-view.ts): what any console shows of it. */
const CHANNEL_EVENT_WORDS = /scan the QR code/;

/** One inbound as the platform delivered it: enough to deliver it again. */
export interface InboundHandle {
  /** Where the customer wrote from (`telegram:5550101`). */
  from: string;
}

export interface Received {
  /** Where the platform was asked to deliver it. */
  to: string;
  text: string;
}

export interface StoredMessage {
  conversationId: string;
  author: string;
  text: string;
  deliveryState: string | null;
}

export interface SendAttempt {
  refused: boolean;
}

export interface ContractSession {
  /** The core the adapter is wired to (to trigger founder notices the console must render). */
  core: CoreApi;
  customerSays(text: string, customer: { id: string }): Promise<InboundHandle>;
  /** The bot's own message arriving as an update / event in the customer's chat. */
  botSays?(text: string, customer: { id: string }): Promise<void>;
  redeliver?(handle: InboundHandle): Promise<void>;
  /** The same kind of request with a wrong or missing secret/signature: the HTTP statuses. */
  deliverUnsigned?(text: string, customer: { id: string }): Promise<number[]>;
  founderReplies(conversationId: string, text: string): Promise<void>;
  customerReceived(): Received[];
  founderConsoleReceived(): string[];
  /** The platform refuses the next send to this customer. */
  failNextSend?(kind: 'rate_limited' | 'permanent', customer: { id: string }): void;
  /** Every send to this customer's address the platform saw, refused or not. */
  customerSendAttempts?(customer: { id: string }): SendAttempt[];
  /** Moves the core's clock forward (a TestClock): time passes without waiting. */
  advanceClock?(ms: number): void;
  storedMessages(): Promise<StoredMessage[]>;
  /** Runs the pipeline (inbox, outbox) until nothing is due now. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a stand-in founder console shows notices, for adapters that are no console themselves
 * (WeChat, Official Accounts, WeCom): it records the core's notices as JSON, matched by type.
 */
export const RECORDED_NOTICES: NoticeRendering = {
  escalation: /"type":"escalation"/,
  customerFollowup: /"type":"customer_followup"/,
  status: /"type":"status"/,
  delivered: /"type":"delivery_report"[^}]*"delivered":true/,
  notDelivered: /"type":"delivery_report"[^}]*"delivered":false/,
  filesNotRelayed: /"type":"attachments_not_relayed"/,
  channelEvent: /"type":"channel_event"/,
};

export interface ChannelDriver {
  capabilities: ContractCapabilities;
  rendering: NoticeRendering;
  /** What failNextSend('rate_limited') asks the client to wait (the fake's retry_after), in ms. */
  retryAfterMs?: number;
  start(): Promise<ContractSession>;
}

/** Outside the KB (examples/kb, or an empty one): always escalated to the founder. */
export const UNCOVERED = 'Do you have a public API for webhooks?';

/**
 * The note spellings the founder may type. Each must stay internal on every console. The Slack
 * formatting one is what Slack sends when the founder makes "note" bold.
 */
export const NOTE_SPELLINGS: Array<[string, (secret: string) => string]> = [
  ['note: x', (s) => `note: ${s}`],
  ['Note - x', (s) => `Note - ${s}`],
  [';; x', (s) => `;; ${s}`],
  ['// x', (s) => `// ${s}`],
  ['(note) x', (s) => `(note) ${s}`],
  ['[note] x', (s) => `[note] ${s}`],
  ['*note*: x', (s) => `*note*: ${s}`],
  ['note：x (full-width colon)', (s) => `note：${s}`],
  ['ZWSP + note: x', (s) => `\u200bnote: ${s}`],
];

/** Settles and re-checks until `check` holds; the deadline only guards against a hang (no timing is asserted). */
export async function eventually<T>(session: ContractSession, check: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await session.settle();
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      // Say what the platforms did get, so a failure reads as a bug report.
      const short = (t: string): string => (t.length > 200 ? `${t.slice(0, 200)}…` : t);
      const seen = JSON.stringify({
        founderConsole: session.founderConsoleReceived().slice(-6).map(short),
        customer: session.customerReceived().slice(-6).map((r) => ({ ...r, text: short(r.text) })),
      }, null, 2);
      throw new Error(`contract: ${what} never happened; last seen:\n${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function runChannelContract(name: string, driver: ChannelDriver): void {
  const caps = driver.capabilities;
  const render = driver.rendering;
  const ADA = { id: 'ada' };
  const BOB = { id: 'bob' };

  describe(`channel contract: ${name}`, () => {
    let s: ContractSession;

    /** A fresh desk, adapter and fakes for each check of the enclosing describe. */
    const sessionPerCheck = (): void => {
      beforeEach(async () => {
        s = await driver.start();
      });
      afterEach(async () => {
        await s.close();
      });
    };

    /** The customer asks what the KB does not cover: the conversation is with the founder. */
    async function escalate(customer = ADA, text = UNCOVERED): Promise<{ conversationId: string; handle: InboundHandle }> {
      const handle = await s.customerSays(text, customer);
      const stored = await eventually(s, async () => (await s.storedMessages()).find((m) => m.author === 'customer' && m.text === text), 'the customer message stored');
      // The console shows the escalation before the founder can answer it (Telegram replies to it).
      await eventually(s, () => s.founderConsoleReceived().some((t) => render.escalation.test(t)), 'the escalation on the console');
      return { conversationId: stored.conversationId, handle };
    }

    describe('inbound', () => {
      sessionPerCheck();

      // 1. The ids the platform gave us are where the answer goes: a reply to the customer's own
      //    chat, not to the user id, a default chat, or the other customer.
      it('1. platform ids round-trip: each customer is answered where they wrote', async () => {
        const customers = caps.multipleCustomers ? [ADA, BOB] : [ADA];
        const from = new Map<string, string>();
        for (const c of customers) from.set(c.id, (await s.customerSays(`${UNCOVERED} (${c.id})`, c)).from);
        expect(new Set(from.values()).size).toBe(customers.length);
        await eventually(s, () => customers.every((c) => s.customerReceived().some((r) => r.to === from.get(c.id))), 'a reply to every customer');
        // Something readable arrived (not an empty message to the right place).
        expect(s.customerReceived().every((r) => r.text.trim() !== '')).toBe(true);
        const destinations = new Set(s.customerReceived().map((r) => r.to));
        expect([...destinations].sort()).toEqual([...from.values()].sort());
      });

      // 2. A bot that hears its own messages answers itself for ever (and stores them as a customer's).
      if (caps.ownMessagesArrive) {
        it("2. the bot's own messages are ignored: nothing stored, nothing sent", async () => {
          await s.botSays!('Thanks for your message! The founder will answer soon.', ADA);
          await s.settle();
          expect(await s.storedMessages()).toEqual([]);
          expect(s.customerReceived()).toEqual([]);
          expect(s.founderConsoleReceived()).toEqual([]);
        });
      }

      // 3. Platforms redeliver when an ack is slow or lost: one message, one answer, one notice.
      if (caps.redelivery) {
        it('3. a duplicate delivery is stored once and answered once', async () => {
          const handle = await s.customerSays(UNCOVERED, ADA);
          const answered = await eventually(s, () => (s.customerReceived().length > 0 ? s.customerReceived().length : null), 'the first answer');
          const noticed = s.founderConsoleReceived().length;
          await s.redeliver!(handle);
          await s.redeliver!(handle);
          await s.settle();
          const customerMessages = (await s.storedMessages()).filter((m) => m.author === 'customer');
          expect(customerMessages.map((m) => m.text)).toEqual([UNCOVERED]);
          expect(s.customerReceived()).toHaveLength(answered);
          expect(s.founderConsoleReceived()).toHaveLength(noticed);
        });
      }

      // 4. Anyone can POST to a webhook: without the secret / signature, nothing happens.
      if (caps.authenticity) {
        it('4. a bad signature or secret → 401 and nothing stored or sent', async () => {
          const statuses = await s.deliverUnsigned!('How do I reset my password?', ADA);
          expect(statuses.length).toBeGreaterThan(0);
          expect(statuses.every((status) => status === 401)).toBe(true);
          await s.settle();
          expect(await s.storedMessages()).toEqual([]);
          expect(s.customerReceived()).toEqual([]);
          expect(s.founderConsoleReceived()).toEqual([]);
        });
      }
    });

    // 5. A private note sent to a customer is the worst bug a support desk can have. A normal
    //    reply afterwards proves the relay worked, so "nothing arrived" is not a broken relay.
    //    One escalated conversation serves every spelling (each compares against its own
    //    starting point), which spares nine desks per adapter.
    {
      describe('5. a founder note never reaches the customer', () => {
        let conversationId: string;
        beforeAll(async () => {
          s = await driver.start();
          ({ conversationId } = await escalate());
        });
        afterAll(async () => {
          await s.close();
        });

        it.each(NOTE_SPELLINGS)('%s', async (_spelling, spell) => {
          const secret = 'the customer is on the old plan, do not offer the discount';
          const received = newSince(() => s.customerReceived());
          const attempts = s.customerSendAttempts ? newSince(() => s.customerSendAttempts!(ADA)) : () => [];
          await s.founderReplies(conversationId, spell(secret));
          await s.settle();
          expect(received()).toEqual([]);
          expect(attempts()).toEqual([]);

          await s.founderReplies(conversationId, 'A normal reply.');
          await eventually(s, () => received().length > 0, 'the normal reply after the note');
          expect(received().map((r) => r.text.trim())).toEqual(['A normal reply.']);
          expect(s.customerReceived().some((r) => r.text.includes(secret))).toBe(false);
        });
      });
    }

    describe('founder console and delivery', () => {
      sessionPerCheck();

      if (caps.founderConsole) {
        // 6. The founder console is the founder's only window: every notice type must show there.
        it('6. every founder notice type is rendered on the console', async () => {
          const consoleNew = () => newSince(() => s.founderConsoleReceived());

          let shown = consoleNew();
          const { conversationId } = await escalate();
          expect(shown().some((t) => render.escalation.test(t))).toBe(true);
          if (caps.noticesQuoteCustomer) expect(shown().some((t) => t.includes(UNCOVERED))).toBe(true);

          shown = consoleNew();
          const followup = 'Also: the webhook should fire on refunds.';
          await s.customerSays(followup, ADA);
          await eventually(s, () => shown().some((t) => render.customerFollowup.test(t)), 'the follow-up notice');
          if (caps.noticesQuoteCustomer) expect(shown().some((t) => t.includes(followup))).toBe(true);

          shown = consoleNew();
          await s.founderReplies(conversationId, 'Webhooks are on the roadmap.');
          await eventually(s, () => shown().some((t) => render.delivered.test(t)), 'the delivery report');

          // Files and status changes come from other consoles' actions too: triggered through the core.
          shown = consoleNew();
          await s.core.founder.reply({ conversationId, text: '', founder: 'contract', attachments: [{ kind: 'document', name: 'webhook-spec.pdf' }] });
          await eventually(s, () => shown().some((t) => render.filesNotRelayed.test(t)), 'the files-not-relayed notice');
          expect(shown().some((t) => t.includes('webhook-spec.pdf'))).toBe(true);

          shown = consoleNew();
          await s.core.founder.resolve({ conversationId, founder: 'contract' });
          await eventually(s, () => shown().some((t) => render.status.test(t)), 'the status notice');

          // A channel's session (WeChat's login QR code) belongs to no conversation: the console
          // shows it all the same, and no customer ever gets it. Reported through the core, as
          // the WeChat adapter does.
          shown = consoleNew();
          const received = newSince(() => s.customerReceived());
          await s.core.reportChannelEvent({ channel: 'wechat', event: 'login_qr', detail: 'Scan it with the desk phone.', url: 'https://login.weixin.qq.com/l/contract-qr' });
          await eventually(s, () => shown().some((t) => (render.channelEvent ?? CHANNEL_EVENT_WORDS).test(t)), 'the channel event notice');
          await s.settle();
          expect(received()).toEqual([]);
        });

      }

      {
        // 7. The founder's answer is the point of the desk: it reaches the customer's chat, and the
        //    founder learns it did (or did not: check 9).
        it('7. a founder reply is relayed to the customer and the founder is told it was delivered', async () => {
          const { conversationId, handle } = await escalate();
          const received = newSince(() => s.customerReceived());
          const shown = newSince(() => s.founderConsoleReceived());
          await s.founderReplies(conversationId, 'Yes: Settings, then Webhooks.');
          const [reply] = await eventually(s, () => (received().length > 0 ? received() : null), 'the relayed reply');
          expect(reply!.text).toContain('Yes: Settings, then Webhooks.');
          expect(reply!.to).toBe(handle.from);
          await eventually(s, () => shown().some((t) => render.delivered.test(t)), 'the delivery report');
          expect(shown().some((t) => render.notDelivered.test(t))).toBe(false);
          const founderMessages = (await s.storedMessages()).filter((m) => m.author === 'founder');
          expect(founderMessages.map((m) => [m.text, m.deliveryState])).toEqual([['Yes: Settings, then Webhooks.', 'sent']]);
        });
      }

      if (caps.platformErrors) {
        // 8. A 429 is the platform asking us to wait: not a failure, not a reason to send twice,
        //    and not to be retried before the time it named. Time is the core's clock, moved past
        //    retry_after instead of waited for.
        it('8. a 429 is waited out and the message delivered exactly once', async () => {
          const { conversationId } = await escalate();
          const received = newSince(() => s.customerReceived());
          const attempts = newSince(() => s.customerSendAttempts!(ADA));
          const shown = newSince(() => s.founderConsoleReceived());
          s.failNextSend!('rate_limited', ADA);
          await s.founderReplies(conversationId, 'Sorry for the wait — it is fixed.');
          await eventually(s, () => attempts().length > 0, 'the first send attempt');
          // Everything due has been sent: the refused reply is not due again before retry_after.
          await s.settle();
          expect(attempts().map((a) => a.refused)).toEqual([true]);
          expect(received()).toEqual([]);
          expect(shown().some((t) => render.notDelivered.test(t))).toBe(false);

          s.advanceClock!(driver.retryAfterMs!);
          await eventually(s, () => received().length > 0, 'delivery once retry_after has passed');
          await s.settle();
          expect(received().map((r) => r.text.trim())).toEqual(['Sorry for the wait — it is fixed.']);
          expect(attempts().map((a) => a.refused)).toEqual([true, false]);
          await eventually(s, () => shown().some((t) => render.delivered.test(t)), 'the delivery report');
          expect(shown().some((t) => render.notDelivered.test(t))).toBe(false);
        });

        // 9. Blocked / channel gone: retrying helps nobody; the founder must know the answer did not arrive.
        it('9. a permanent error stops retries and is reported to the founder', async () => {
          const { conversationId } = await escalate();
          const received = newSince(() => s.customerReceived());
          const attempts = newSince(() => s.customerSendAttempts!(ADA));
          const shown = newSince(() => s.founderConsoleReceived());
          s.failNextSend!('permanent', ADA);
          await s.founderReplies(conversationId, 'This will not arrive.');
          await eventually(s, () => shown().some((t) => render.notDelivered.test(t)), 'the not-delivered report');
          await s.settle();
          expect(attempts().map((a) => a.refused)).toEqual([true]);
          expect(received()).toEqual([]);
          expect(shown().some((t) => render.delivered.test(t))).toBe(false);
          const founderMessages = (await s.storedMessages()).filter((m) => m.author === 'founder');
          expect(founderMessages.map((m) => [m.text, m.deliveryState])).toEqual([['This will not arrive.', 'failed']]);
        });
      }
    });
  });
}

/** What a list (of received messages, attempts …) gained since this was called. */
function newSince<T>(list: () => T[]): () => T[] {
  const mark = list().length;
  return () => list().slice(mark);
}
