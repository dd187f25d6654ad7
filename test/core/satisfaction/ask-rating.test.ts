import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessHours } from '../../../src/config/business-hours.ts';
import { decodeCustomerAction, encodeCustomerAction } from '../../../src/core/customer-action.ts';
import type { OutboundMessage } from '../../../src/core/messages.ts';
import { FOUNDER_CHANNEL } from '../../../src/core/ports.ts';
import { DEFAULT_CSAT_AFTER_ANSWER_MS } from '../../../src/core/satisfaction/ask-rating.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// Satisfaction ratings end to end through the real core and database: when the customer is asked
// (founder resolve, 👍, an answer left alone), how a press or a typed number is recorded, and
// when nobody is asked (twice, after 👎, outside business hours until the opening).

const RATING_LABELS = ['1 😞', '2 🙁', '3 😐', '4 🙂', '5 😍'];

function harness() {
  const h = {
    desk: undefined as unknown as TestDesk,
    customer: new RecordingSender('test'),
    founder: new RecordingSender(FOUNDER_CHANNEL),
    clock: undefined as unknown as TestClock,
    seq: 0,
    get prisma() {
      return h.desk.database.db.prisma;
    },
    async start(clock: TestClock, businessHours?: BusinessHours) {
      h.clock = clock;
      h.desk = await createTestDesk({
        clock,
        senders: [h.customer, h.founder],
        settings: { csatEnabled: true, ...(businessHours ? { businessHours } : {}) },
      });
      await importKbDirectory(h.desk.kb, 'examples/kb', 'test');
    },
    /** A customer message in `chat`, stored and decided. */
    async say(chat: string, text: string) {
      const stored = await h.desk.core.handleInbound({
        channel: 'test',
        externalUserId: `u-${chat}`,
        externalChatId: chat,
        platformMessageId: `m${++h.seq}`,
        text,
        sender: { displayName: 'Ada' },
      });
      return h.desk.decided(stored);
    },
    async press(chat: string, action: string) {
      const result = await h.desk.core.handleAction({ channel: 'test', externalUserId: `u-${chat}`, externalChatId: chat, action, platformEventId: `p${++h.seq}` });
      await h.desk.drain();
      return result;
    },
    /** What `chat` was sent, in order. */
    sent(chat: string): OutboundMessage[] {
      return h.customer.delivered.flatMap((d) => (d.payload.type === 'customer_message' && 'message' in d.payload && d.payload.message.chatId === chat ? [d.payload.message] : []));
    },
    prompts(chat: string): OutboundMessage[] {
      return h.sent(chat).filter((m) => m.buttons?.some((b) => decodeCustomerAction(b.action)?.kind === 'csat'));
    },
    /** Moves time on, then runs the periodic sweep and sends what it asked. */
    async later(ms: number) {
      h.clock.advance(ms);
      const asked = await h.desk.core.askDueRatings();
      await h.desk.drain();
      return asked;
    },
    /** Escalated to the founder, answered, and resolved by them. */
    async resolvedByFounder(chat: string): Promise<string> {
      const { conversationId } = await h.say(chat, 'I want to talk to a human');
      await h.desk.core.founder.reply({ conversationId: conversationId!, text: 'Done: your account is fixed.', founder: 'slack:U1' });
      await h.desk.core.founder.resolve({ conversationId: conversationId!, founder: 'slack:U1' });
      await h.desk.drain();
      return conversationId!;
    },
  };
  return h;
}

describe('satisfaction ratings', () => {
  const h = harness();
  beforeAll(() => h.start(new TestClock()));
  afterAll(() => h.desk.dispose());

  it('a founder resolve asks once with buttons 1–5; a press records the rating, a second press is "already rated", the next text is the comment', async () => {
    const conversationId = await h.resolvedByFounder('c1');
    const prompts = h.prompts('c1');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.text).toMatch(/rate this conversation from 1 \(poor\) to 5 \(great\)/);
    expect(prompts[0]!.buttons!.map((b) => b.label)).toEqual(RATING_LABELS);
    expect((await h.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).csatAskedAt).not.toBeNull();

    expect((await h.press('c1', prompts[0]!.buttons![3]!.action)).outcome).toBe('rate');
    const conversation = await h.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.csatScore).toBe(4);
    expect(await h.prisma.feedback.findMany({ where: { conversationId }, select: { kind: true, score: true } })).toEqual([{ kind: 'csat', score: 4 }]);
    expect(h.sent('c1').at(-1)!.text).toMatch(/Thanks for rating us 4\/5/);

    expect((await h.press('c1', prompts[0]!.buttons![4]!.action)).outcome).toBe('already_rated');
    expect(h.sent('c1').at(-1)!.text).toMatch(/already rated this conversation/);
    expect(await h.prisma.feedback.count({ where: { conversationId, kind: 'csat' } })).toBe(1);
    expect((await h.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).csatScore).toBe(4);

    const noticesBefore = h.founder.notices().length;
    const comment = await h.say('c1', 'Quick and friendly, but the docs were confusing.');
    expect(comment).toMatchObject({ outcome: 'rating_comment', conversationId });
    expect((await h.prisma.feedback.findFirstOrThrow({ where: { conversationId, kind: 'csat' } })).comment).toBe('Quick and friendly, but the docs were confusing.');
    expect(h.sent('c1').at(-1)!.text).toMatch(/passed your comment on/);
    // Acknowledged, not escalated: no new conversation and nothing for the founder.
    expect(await h.prisma.conversation.count({ where: { externalChatId: 'c1' } })).toBe(1);
    expect(h.founder.notices().slice(noticesBefore).filter((n) => n.type === 'escalation')).toEqual([]);
  });

  it('a typed 5 answers the prompt on a channel without buttons; other text after the prompt is a new question', async () => {
    const rated = await h.resolvedByFounder('c2');
    expect(await h.say('c2', '5')).toMatchObject({ outcome: 'rate', conversationId: rated });
    expect((await h.prisma.conversation.findUniqueOrThrow({ where: { id: rated } })).csatScore).toBe(5);
    expect(await h.prisma.feedback.findMany({ where: { conversationId: rated }, select: { kind: true, score: true } })).toEqual([{ kind: 'csat', score: 5 }]);

    const passedOver = await h.resolvedByFounder('c3');
    const question = await h.say('c3', 'How do I reset my password?');
    expect(question.outcome).toBe('answer');
    expect(question.conversationId).not.toBe(passedOver);
    // The prompt had its one chance: a number now is not a rating of anything.
    expect((await h.say('c3', '4')).outcome).not.toBe('rate');
    expect(await h.prisma.feedback.count({ where: { kind: 'csat', conversation: { externalChatId: 'c3' } } })).toBe(0);
  });

  it('is never asked twice: resolve, reopen, resolve', async () => {
    const conversationId = await h.resolvedByFounder('c4');
    await h.desk.core.founder.reopen({ conversationId, founder: 'slack:U1' });
    await h.desk.core.founder.resolve({ conversationId, founder: 'slack:U1' });
    await h.desk.drain();
    expect(h.prompts('c4')).toHaveLength(1);
  });

  it('is not asked after a 👎 escalated the conversation, by the founder nor when the time passes', async () => {
    const { conversationId } = await h.say('c5', 'How do I reset my password?');
    const answer = h.sent('c5')[0]!;
    expect((await h.press('c5', answer.buttons![1]!.action)).outcome).toBe('feedback_down');
    await h.desk.core.founder.reply({ conversationId: conversationId!, text: 'Sorry! Try the link in this email.', founder: 'slack:U1' });
    await h.desk.core.founder.resolve({ conversationId: conversationId!, founder: 'slack:U1' });
    await h.desk.drain();
    await h.later(DEFAULT_CSAT_AFTER_ANSWER_MS + 60_000);
    expect(h.prompts('c5')).toEqual([]);
    expect((await h.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } })).csatAskedAt).toBeNull();
  });

  it('a KB answer left alone for CSAT_AFTER_ANSWER_MS is asked about; one answered later is not due yet', async () => {
    await h.say('c6', 'How do I reset my password?');
    await h.later(DEFAULT_CSAT_AFTER_ANSWER_MS - 60_000);
    expect(h.prompts('c6')).toEqual([]);
    // c7's answer comes later, so it is not due when c6's is.
    await h.say('c7', 'How do I reset my password?');
    await h.later(2 * 60_000);
    expect(h.prompts('c6')).toHaveLength(1);
    expect(h.prompts('c7')).toEqual([]);
    // Asked once: the sweep finds nothing more for c6 later.
    await h.later(DEFAULT_CSAT_AFTER_ANSWER_MS);
    expect(h.prompts('c6')).toHaveLength(1);
    expect(h.prompts('c7')).toHaveLength(1);
  });

  it('a customer message restarts the wait: "left alone" counts from the last answer', async () => {
    await h.say('c10', 'How do I reset my password?');
    h.clock.advance(DEFAULT_CSAT_AFTER_ANSWER_MS - 5 * 60_000);
    expect((await h.say('c10', 'How do I reset my password?')).outcome).toBe('answer');
    await h.later(10 * 60_000);
    expect(h.prompts('c10')).toEqual([]);
    await h.later(DEFAULT_CSAT_AFTER_ANSWER_MS);
    expect(h.prompts('c10')).toHaveLength(1);
  });

  it('a 👍 asks at once, the thanks folded into the prompt, and never again', async () => {
    const { conversationId } = await h.say('c8', 'How do I reset my password?');
    const answer = h.sent('c8')[0]!;
    expect((await h.press('c8', answer.buttons![0]!.action)).outcome).toBe('feedback_up');
    const prompts = h.prompts('c8');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.text).toMatch(/^Thanks for the feedback!\n\nHow did we do\?/);
    expect(h.sent('c8')).toHaveLength(2);
    await h.later(DEFAULT_CSAT_AFTER_ANSWER_MS + 60_000);
    await h.desk.core.founder.resolve({ conversationId: conversationId!, founder: 'slack:U1' });
    await h.desk.drain();
    expect(h.prompts('c8')).toHaveLength(1);
  });

  it('a press of a button this desk did not make rates nothing', async () => {
    await h.resolvedByFounder('c9');
    const forged = encodeCustomerAction({ kind: 'csat', messageId: '00000000-0000-4000-8000-000000000000', score: 1 });
    expect((await h.press('c9', forged)).outcome).toBe('stale');
    expect(await h.prisma.feedback.count({ where: { conversation: { externalChatId: 'c9' } } })).toBe(0);
  });
});

/** The next `weekday` (0 = Sunday) at `hourUtc`:`minute` UTC after now: the test clock never runs behind real time. */
function next(weekday: number, hourUtc: number, minute = 0): Date {
  const at = new Date();
  at.setUTCHours(hourUtc, minute, 0, 0);
  do at.setUTCDate(at.getUTCDate() + 1);
  while (at.getUTCDay() !== weekday);
  return at;
}

describe('satisfaction ratings and business hours', () => {
  const h = harness();
  // A Tuesday, ten minutes before closing.
  const start = next(2, 17, 50);
  beforeAll(() => h.start(new TestClock(start), parseBusinessHours('Mon-Fri 09:00-18:00', 'UTC') as BusinessHours));
  afterAll(() => h.desk.dispose());

  it('outside business hours nothing is asked; resolved and left-alone conversations are asked at the opening', async () => {
    const { conversationId } = await h.say('b1', 'I want to talk to a human');
    await h.desk.core.founder.reply({ conversationId: conversationId!, text: 'Fixed.', founder: 'slack:U1' });
    h.clock.advance(15 * 60_000); // Tuesday 18:05: closed
    await h.desk.core.founder.resolve({ conversationId: conversationId!, founder: 'slack:U1' });
    await h.say('b2', 'How do I reset my password?');
    expect(await h.later(DEFAULT_CSAT_AFTER_ANSWER_MS + 60_000)).toBe(0);
    expect([...h.prompts('b1'), ...h.prompts('b2')]).toEqual([]);
    expect((await h.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } })).csatAskedAt).toBeNull();

    // Wednesday 09:00, the opening.
    const opening = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1, 9);
    expect(await h.later(opening - h.clock.now())).toBe(2);
    expect(h.prompts('b1')).toHaveLength(1);
    expect(h.prompts('b2')).toHaveLength(1);
    const asked = await h.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } });
    expect(asked.csatAskedAt!.getTime()).toBeGreaterThanOrEqual(opening);
  });
});
