import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformApiError, RateLimitedError } from '../../src/errors.ts';
import { parseBusinessHours, type BusinessHours } from '../../src/config/business-hours.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { TestClock } from '../support/test-clock.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';

let desk: TestDesk;
let customer: RecordingSender;
let founder: RecordingSender;
let seq = 0;

async function setUp(settings: Parameters<typeof createTestDesk>[0] = {}) {
  customer = new RecordingSender('test');
  founder = new RecordingSender('founder');
  desk = await createTestDesk({ ...settings, senders: [customer, founder] });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
}

/** A customer message, stored and then decided (the pipeline decides from the durable inbox). */
async function say(text: string, opts: { user?: string; chat?: string; id?: string } = {}) {
  return desk.decided(await deliver(text, opts));
}

function deliver(text: string, opts: { user?: string; chat?: string; id?: string } = {}) {
  return desk.core.handleInbound({
    channel: 'test',
    externalUserId: opts.user ?? 'u1',
    externalChatId: opts.chat ?? 'c1',
    platformMessageId: opts.id ?? `m${++seq}`,
    text,
    sender: { displayName: 'Ada' },
  });
}

afterEach(async () => {
  await desk?.dispose();
});

describe('the conversation pipeline', () => {
  beforeEach(() => setUp());

  it('answers from the KB, with the article and "did this help?" buttons', async () => {
    const result = await say('How do I reset my password?');
    expect(result.outcome).toBe('answer');
    await desk.drain();
    const [delivery] = customer.delivered;
    expect(delivery?.payload.type).toBe('customer_message');
    if (delivery?.payload.type !== 'customer_message') return;
    expect(delivery.payload.message.text).toMatch(/^\*\*Reset your password\*\*/);
    expect(delivery.payload.message.format).toBe('markdown');
    expect(delivery.payload.message.buttons?.map((b) => b.label)).toEqual(['👍', '👎']);
    const conversation = await desk.database.db.prisma.conversation.findFirstOrThrow();
    expect(conversation.status).toBe('answered');
    const stored = await desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'bot' } });
    expect(stored.deliveryState).toBe('sent');
    expect(founder.delivered).toHaveLength(0);
  });

  it('escalates what the KB does not cover, with context for the founder', async () => {
    const result = await say('Do you have a public API for webhooks?');
    expect(result.outcome).toBe('escalate');
    await desk.drain();
    expect(customer.texts()[0]).toMatch(/passed your message to the founder/);
    const [notice] = founder.notices();
    expect(notice).toMatchObject({ type: 'escalation', reason: 'kb_unsure', question: 'Do you have a public API for webhooks?' });
    if (notice?.type === 'escalation') expect(notice.customer.displayName).toBe('Ada');
  });

  it('escalates when the customer asks for a person, in English or Chinese', async () => {
    expect((await say('I want to talk to a human')).outcome).toBe('escalate');
    expect((await say('转人工', { user: 'u2', chat: 'c2' })).outcome).toBe('escalate');
    await desk.drain();
    expect(founder.notices().map((n) => n.type === 'escalation' && n.reason)).toEqual(['human_requested', 'human_requested']);
    expect(customer.texts().filter((t) => /已转给创始人/.test(t))).toHaveLength(1);
  });

  it('relays the founder reply to the customer, and later customer messages to the founder', async () => {
    const { conversationId } = await say('human please');
    await desk.core.founder.reply({ conversationId: conversationId!, text: 'Hi Ada, happy to help.', founder: 'slack:U1' });
    const next = await say('Thanks! One more thing: how do I reset my password?');
    expect(next.outcome).toBe('relay_to_founder');
    await desk.drain();
    expect(customer.texts()).toContain('Hi Ada, happy to help.');
    expect(customer.texts().some((t) => t.includes('Reset your password'))).toBe(false);
    const types = founder.notices().map((n) => n.type);
    expect(types).toEqual(['escalation', 'status', 'customer_followup', 'delivery_report']);
    const founderMessage = await desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'founder' } });
    expect(founderMessage.deliveryState).toBe('sent');
  });

  it('ignores a duplicate delivery of the same platform message', async () => {
    const first = await say('How do I reset my password?', { id: 'same' });
    const again = await say('How do I reset my password?', { id: 'same' });
    const racing = await Promise.all([deliver('Can I get a refund?', { id: 'race' }), deliver('Can I get a refund?', { id: 'race' })]);
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(racing.map((r) => r.duplicate).sort()).toEqual([false, true]);
    await desk.drain();
    expect(customer.texts()).toHaveLength(2);
    expect(await desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(2);
  });

  it('a founder reply redelivered by the platform is sent once', async () => {
    const { conversationId } = await say('human');
    const reply = { conversationId: conversationId!, text: 'On it', founder: 'slack:U1', platformMessageId: 'slack:C1:1.1' };
    const results = await Promise.all([desk.core.founder.reply(reply), desk.core.founder.reply(reply)]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    await desk.drain();
    expect(customer.texts().filter((t) => t === 'On it')).toHaveLength(1);
  });

  it('floods: dozens of messages a minute get one notice and one escalation, not dozens of answers', async () => {
    for (let i = 0; i < 30; i++) await say('How do I reset my password?', { id: `flood-${i}` });
    await desk.drain();
    const answers = customer.texts().filter((t) => t.includes('Reset your password'));
    expect(answers.length).toBeLessThanOrEqual(8);
    expect(customer.texts().filter((t) => t.includes('a lot of messages'))).toHaveLength(1);
    expect(founder.notices().filter((n) => n.type === 'escalation')).toHaveLength(1);
    expect(await desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(30);
  });

  it('resolve and reopen: a resolved conversation ends; the next message opens a new one', async () => {
    const { conversationId } = await say('human');
    await desk.core.founder.resolve({ conversationId: conversationId!, founder: 'slack:U1' });
    const resolved = await desk.database.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } });
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).not.toBeNull();
    const next = await say('How do I reset my password?');
    expect(next.conversationId).not.toBe(conversationId);
    expect(next.outcome).toBe('answer');
    await desk.core.founder.reopen({ conversationId: conversationId!, founder: 'slack:U1' });
    const reopened = await desk.database.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } });
    expect(reopened.status).toBe('escalated');
    expect(reopened.resolvedAt).toBeNull();
    await desk.drain();
    expect(founder.notices().filter((n) => n.type === 'status').map((n) => n.type === 'status' && n.status)).toEqual([
      'resolved',
      'escalated',
    ]);
    expect(await desk.database.db.prisma.auditLog.count({ where: { entity: 'conversation' } })).toBe(2);
  });

  it('👎 on an answer escalates; 👍 records the rating', async () => {
    await say('How do I reset my password?');
    await desk.drain();
    const answer = customer.delivered[0]!;
    if (answer.payload.type !== 'customer_message') throw new Error('expected an answer');
    const [up, down] = answer.payload.message.buttons!;
    const press = (action: string, id: string) =>
      desk.core.handleAction({ channel: 'test', externalUserId: 'u1', externalChatId: 'c1', action, platformEventId: id });
    expect((await press(down!.action, 'cb1')).outcome).toBe('feedback_down');
    expect((await press(down!.action, 'cb1')).duplicate).toBe(true);
    expect((await press(up!.action, 'cb2')).outcome).toBe('already_rated');
    await desk.drain();
    expect(founder.notices()[0]).toMatchObject({ type: 'escalation', reason: 'customer_rejected_answer' });
    const feedback = await desk.database.db.prisma.feedback.findMany();
    expect(feedback.map((f) => f.score)).toEqual([1]);
  });

  it('a message the customer wrote is a question even when it starts like a stored button press', async () => {
    // Presses are told apart by their kind, not their text: this once was skipped as a press.
    // The KB answers whatever it ranks first here, so the 👎 below has an answer to reject.
    await desk.dispose();
    await setUp({ thresholds: { answer: 0.0001, suggest: 0.0001 } });
    const question = '[pressed the reset link twice] How do I reset my password?';
    expect((await say(question)).outcome).toBe('answer');
    await desk.drain();
    const answer = customer.delivered[0]!;
    if (answer.payload.type !== 'customer_message') throw new Error('expected an answer');
    const down = answer.payload.message.buttons![1]!;
    await desk.core.handleAction({ channel: 'test', externalUserId: 'u1', externalChatId: 'c1', action: down.action, platformEventId: 'cb1' });
    await desk.drain();
    expect(founder.notices()[0]).toMatchObject({ type: 'escalation', reason: 'customer_rejected_answer', question });
    const stored = await desk.database.db.prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' } });
    expect(stored.map((m) => [m.kind, m.text])).toEqual([
      ['text', question],
      ['action', '[pressed 👎]'],
    ]);
  });

  it('an undecodable button is answered as stale and stored as a press', async () => {
    await say('How do I reset my password?');
    const pressed = await desk.core.handleAction({ channel: 'test', externalUserId: 'u1', externalChatId: 'c1', action: 'fb:sideways:x', platformEventId: 'cb1' });
    expect(pressed.outcome).toBe('stale');
    await desk.drain();
    expect(customer.texts().at(-1)).toMatch(/no longer current/);
    expect(await desk.database.db.prisma.message.findFirstOrThrow({ where: { kind: 'action' } })).toMatchObject({ text: '[pressed a button]' });
  });

  it('saves the question and the founder reply as an article that answers the same question next time', async () => {
    const question = 'Do you offer a discount for students?';
    const { conversationId } = await say(question);
    await desk.core.founder.reply({ conversationId: conversationId!, text: 'Yes: 50% off Pro with a school email.', founder: 'slack:U1' });
    const saved = await desk.core.founder.saveAsArticle({ conversationId: conversationId!, founder: 'slack:U1', publish: true });
    expect(saved.created).toBe(true);
    await desk.core.founder.resolve({ conversationId: conversationId!, founder: 'slack:U1' });
    const again = await say(question, { user: 'u9', chat: 'c9' });
    expect(again.outcome).toBe('answer');
    const article = await desk.kb.getBySlug(saved.slug);
    expect(article).toMatchObject({ title: question, body: 'Yes: 50% off Pro with a school email.', questions: [question] });
  });
});

/** The next `weekday` (0 = Sunday) at `hourUtc`:00 UTC after now: the test clock never runs behind real time. */
function next(weekday: number, hourUtc: number): Date {
  const at = new Date();
  at.setUTCHours(hourUtc, 0, 0, 0);
  do at.setUTCDate(at.getUTCDate() + 1);
  while (at.getUTCDay() !== weekday);
  return at;
}

describe('business hours', () => {
  it('outside business hours an escalation tells the customer when to expect a reply', async () => {
    const hours = parseBusinessHours('Mon-Fri 09:00-18:00', 'Europe/Berlin') as BusinessHours;
    // Saturday around noon in Berlin.
    await setUp({ settings: { businessHours: hours }, clock: new TestClock(next(6, 11)) });
    await say('human');
    await desk.drain();
    expect(customer.texts()[0]).toMatch(/away right now; expect a reply after Mon 09:00 \(Europe\/Berlin\)/);
  });

  it('inside business hours it does not', async () => {
    const hours = parseBusinessHours('Mon-Fri 09:00-18:00', 'Europe/Berlin') as BusinessHours;
    // Tuesday late morning in Berlin (11:00 in winter, 12:00 in summer).
    await setUp({ settings: { businessHours: hours }, clock: new TestClock(next(2, 10)) });
    await say('human');
    await desk.drain();
    expect(customer.texts()[0]).not.toMatch(/away/);
  });
});

describe('delivery failures', () => {
  beforeEach(() => setUp());

  it('a transient failure is retried and delivered once', async () => {
    customer.failNext(() => new Error('socket hang up'), 2);
    await say('How do I reset my password?');
    await desk.drain();
    expect(customer.attempts).toHaveLength(3);
    expect(customer.delivered).toHaveLength(1);
    const row = await desk.database.db.prisma.outbox.findFirstOrThrow({ where: { channel: 'test' } });
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('a permanent failure stops, stores why, marks a blocked identity and tells the founder', async () => {
    customer.failNext(() => new PlatformApiError('Forbidden: bot was blocked by the user', { permanent: true, status: 403, reason: 'blocked' }));
    await say('How do I reset my password?');
    await desk.drain();
    expect(customer.attempts).toHaveLength(1);
    const message = await desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'bot' } });
    expect(message.deliveryState).toBe('failed');
    expect(message.deliveryError).toMatch(/blocked by the user/);
    const identity = await desk.database.db.prisma.channelIdentity.findFirstOrThrow();
    expect(identity.blockedAt).not.toBeNull();
    expect(founder.notices()).toEqual([expect.objectContaining({ type: 'delivery_report', delivered: false })]);
  });

  it('rate limiting waits out retry-after without counting as a failure', async () => {
    const clock = new TestClock();
    await desk.dispose();
    await setUp({ clock });
    customer.failNext(() => new RateLimitedError(60_000));
    const before = clock.now();
    await say('How do I reset my password?');
    await desk.drain();
    expect(customer.delivered).toHaveLength(0);
    const pending = await desk.database.db.prisma.outbox.findFirstOrThrow({ where: { channel: 'test' } });
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    expect(pending.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    await desk.drain();
    expect(customer.attempts).toHaveLength(1);
    clock.advance(60_000);
    await desk.drain();
    expect(customer.delivered).toHaveLength(1);
    expect(customer.attempts).toHaveLength(2);
  });
});
