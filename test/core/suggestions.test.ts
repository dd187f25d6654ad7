import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessHours } from '../../src/config/business-hours.ts';
import { decodeCustomerAction } from '../../src/core/customer-action.ts';
import type { CustomerDelivery } from '../../src/core/ports.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { TestClock } from '../support/test-clock.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';

// "Did you mean …?": the KB is set to suggest rather than answer, so every question with a
// plausible article gets a list.
let desk: TestDesk;
let customer: RecordingSender;
let founder: RecordingSender;
let clock: TestClock;
let seq = 0;

beforeEach(async () => {
  clock = new TestClock();
  customer = new RecordingSender('test');
  founder = new RecordingSender('founder');
  desk = await createTestDesk({
    senders: [customer, founder],
    thresholds: { answer: 1.01, suggest: 0.0001 },
    settings: { learnAfterMs: 60_000, lessonsPerCustomerPerDay: 2, offerTtlMs: 30 * 60_000 },
    clock,
  });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
});
afterEach(() => desk.dispose());

const say = async (text: string, user = 'u1') =>
  desk.decided(await desk.core.handleInbound({ channel: 'test', externalUserId: user, externalChatId: `chat-${user}`, platformMessageId: `m${++seq}`, text }));
const press = (action: string, user = 'u1') =>
  desk.core.handleAction({ channel: 'test', externalUserId: user, externalChatId: `chat-${user}`, action, platformEventId: `cb${++seq}` });

async function lastList(): Promise<CustomerDelivery['message']> {
  await desk.drain();
  const last = customer.delivered.at(-1)!.payload as CustomerDelivery;
  return last.message;
}

describe('did you mean …?', () => {
  it('offers up to three articles and "none of these", as buttons and as a numbered list', async () => {
    expect((await say('my password does not work anymore')).outcome).toBe('suggest');
    const list = await lastList();
    expect(list.text).toMatch(/^Did you mean one of these\?\n1\. Reset your password/);
    expect(list.text).toMatch(/\n0\. None of these — talk to the founder$/);
    expect(list.buttons!.length).toBeLessThanOrEqual(4);
    expect(decodeCustomerAction(list.buttons!.at(-1)!.action)).toMatchObject({ kind: 'none_of_these' });
    expect(list.buttons!.slice(0, -1).map((b) => decodeCustomerAction(b.action))).toEqual(
      list.buttons!.slice(0, -1).map((_, i) => expect.objectContaining({ kind: 'pick', choice: i + 1 })),
    );
    expect(list.buttonsPrompt).toMatch(/Reply with the number/);
  });

  it('a pick by button sends the article; a pick by number works too', async () => {
    await say('my password does not work anymore');
    const list = await lastList();
    expect((await press(list.buttons![0]!.action)).outcome).toBe('pick');
    await desk.drain();
    expect(customer.texts().at(-1)).toMatch(/^\*\*Reset your password\*\*/);

    await say('can I get my money back', 'u2');
    await desk.drain();
    expect((await say('1', 'u2')).outcome).toBe('pick');
    await desk.drain();
    expect(customer.texts().at(-1)).toMatch(/^\*\*Refunds\*\*/);
  });

  it('"none of these" escalates with the suggestions shown to the founder', async () => {
    await say('my password does not work anymore');
    const list = await lastList();
    await press(list.buttons!.at(-1)!.action);
    await desk.drain();
    const [notice] = founder.notices();
    expect(notice).toMatchObject({ type: 'escalation', reason: 'no_suggestion_fit', question: 'my password does not work anymore' });
    if (notice?.type === 'escalation') expect(notice.candidates.map((c) => c.title)[0]).toBe('Reset your password');
  });

  it('a stale pick is answered, not applied', async () => {
    await say('my password does not work anymore');
    const old = await lastList();
    await say('how much does the pro plan cost');
    await desk.drain();
    // The first list was replaced by an escalation ("not a pick"), so its button is stale.
    expect((await press(old.buttons![0]!.action)).outcome).toBe('stale');
    await desk.drain();
    expect(customer.texts().at(-1)).toMatch(/no longer current/);

    await say('export to csv', 'u3');
    const expired = await lastList();
    clock.advance(31 * 60_000);
    expect((await press(expired.buttons![0]!.action, 'u3')).outcome).toBe('stale');
  });

  it('an article archived after the list was shown: a typed pick goes to the founder, a pressed one is stale', async () => {
    // Opening hours on a day three days away: closed now, so an escalation also says when the founder is back.
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][(new Date(clock.now()).getUTCDay() + 3) % 7]!;
    await desk.dispose();
    desk = await createTestDesk({
      senders: [customer, founder],
      thresholds: { answer: 1.01, suggest: 0.0001 },
      settings: { offerTtlMs: 30 * 60_000, businessHours: parseBusinessHours(`${day} 09:00-17:00`, 'UTC') as BusinessHours },
      clock,
    });
    await importKbDirectory(desk.kb, 'examples/kb', 'test');
    await say('my password does not work anymore');
    const first = await lastList();
    const slugOfFirst = (await desk.kb.list()).find((a) => a.title === 'Reset your password')!.slug;
    await desk.kb.archive(slugOfFirst, 'test');
    expect((await say('1')).outcome).toBe('escalate');
    await desk.drain();
    const notice = founder.notices().at(-1);
    expect(notice).toMatchObject({ type: 'escalation', reason: 'kb_unsure' });
    if (notice?.type === 'escalation') expect(notice.customerNotice).toMatch(new RegExp(day));

    expect(first.buttons!.length).toBeGreaterThan(1);

    // Another customer's list, whose first article is archived before the press.
    await say('my password does not work anymore', 'u2');
    const second = await lastList();
    const firstTitle = /^1\. (.+)$/m.exec(second.text)![1]!;
    await desk.kb.archive((await desk.kb.list()).find((a) => a.title === firstTitle)!.slug, 'test');
    expect((await press(second.buttons![0]!.action, 'u2')).outcome).toBe('stale');
    await desk.drain();
    expect(customer.texts().at(-1)).toMatch(/no longer current/);
  });

  it('learns the question of an unrejected pick after the window; a pick followed by 👎 teaches nothing', async () => {
    await say('my password does not work anymore');
    await press((await lastList()).buttons![0]!.action);

    await say('can I get my money back', 'u2');
    await press((await lastList()).buttons![0]!.action, 'u2');
    await desk.drain();
    const answer = customer.delivered.at(-1)!.payload as CustomerDelivery;
    const down = answer.message.buttons!.find((b) => decodeCustomerAction(b.action)?.kind === 'feedback' && b.label === '👎')!;
    await press(down.action, 'u2');

    expect(await desk.core.teachFromPicks()).toBe(0); // not yet: the window is open
    clock.advance(61_000);
    expect(await desk.core.teachFromPicks()).toBe(1);
    expect((await desk.kb.getBySlug('reset-password'))!.questions).toContain('my password does not work anymore');
    expect((await desk.kb.getBySlug('refund-policy'))!.questions).not.toContain('can I get my money back');
    const history = await desk.kb.history('reset-password');
    expect(history[0]).toMatchObject({ change: 'learned question: my password does not work anymore', author: expect.stringMatching(/^customer:/) });
  });

  it('one customer can teach only a few questions a day', async () => {
    const questions = ['my password does not work anymore', 'can I get my money back', 'export to csv please'];
    for (const q of questions) {
      await say(q);
      await press((await lastList()).buttons![0]!.action);
      clock.advance(61_000);
      await desk.core.teachFromPicks();
    }
    const taught = await desk.database.db.prisma.auditLog.count({ where: { action: 'article.learned_question' } });
    expect(taught).toBe(2);
  });
});
