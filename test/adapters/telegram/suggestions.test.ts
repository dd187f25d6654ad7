import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import type { SentTelegramMessage } from '../../fakes/telegram-bot-api.ts';
import { callbackQueryUpdate, textUpdate } from '../../fixtures/telegram/updates.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';
import { checkTelegramHtml } from './telegram-html.ts';
import { FOUNDER_ID, SECRET, startHarness, type Harness } from './harness.ts';

// "Did you mean …?" through the real grammY channel and the fake Bot API. The KB is set to
// suggest rather than answer, so every question with a plausible article gets a list.

type Button = { text: string; callback_data: string };

let desk: TestDesk;
let h: Harness;
let clock: number;
let nextUpdate = 1;
let nextMessage = 100;

beforeEach(async () => {
  clock = Date.now();
  desk = await createTestDesk({
    thresholds: { answer: 1.01, suggest: 0.0001 },
    settings: { learnAfterMs: 60_000, lessonsPerCustomerPerDay: 1, offerTtlMs: 30 * 60_000 },
    now: () => new Date(clock),
  });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID], desk });
});
afterEach(async () => {
  await h.close();
  await desk.dispose();
});

const buttonsOf = (m: SentTelegramMessage): Button[] =>
  (m.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard?.flat() ?? [];

/** The messages `chat` received after the first `from`, once one of them satisfies `until`. */
async function newMessages(chat: number, from: number, until: (m: SentTelegramMessage) => boolean, what: string): Promise<SentTelegramMessage[]> {
  return h.settle(() => {
    const fresh = h.sentTo(chat).slice(from);
    return fresh.some(until) ? fresh : null;
  }, what);
}

/** The customer writes; resolves to the bot's "did you mean" list. */
async function ask(chat: number, text: string): Promise<SentTelegramMessage> {
  const before = h.sentTo(chat).length;
  expect((await h.post(textUpdate({ updateId: nextUpdate++, chatId: chat, fromId: chat, messageId: nextMessage++, text }))).status).toBe(200);
  const fresh = await newMessages(chat, before, (m) => buttonsOf(m).some((b) => b.callback_data.startsWith('pick:')), `list for "${text}"`);
  return fresh.find((m) => buttonsOf(m).length > 0)!;
}

async function press(chat: number, message: SentTelegramMessage, data: string, queryId = `cbq-${nextUpdate}`): Promise<void> {
  const update = callbackQueryUpdate({ updateId: nextUpdate++, fromId: chat, chatId: chat, data, messageId: message.message_id, queryId });
  expect((await h.post(update)).status).toBe(200);
  // The press is always acknowledged, or the customer's button spins.
  expect(h.fake.callsOf('answerCallbackQuery').map((c) => c.payload.callback_query_id)).toContain(queryId);
}

const isArticle = (title: string) => (m: SentTelegramMessage) => (m.text ?? '').startsWith(`<b>${title}</b>`);

describe('Telegram: "did you mean …?"', () => {
  it('shows the list as inline buttons; a pick sends the article; "none of these" escalates with the suggestions', async () => {
    const alice = 2_000_001;
    const list = await ask(alice, 'my password does not work anymore');
    expect(list.text).toMatch(/^Did you mean one of these\?\n1\. Reset your password\n/);
    expect(list.text).toMatch(/\n0\. None of these — talk to the founder$/);
    const buttons = buttonsOf(list);
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    expect(buttons.length).toBeLessThanOrEqual(4);
    const offerId = /^pick:([0-9a-f]{10}):1$/.exec(buttons[0]!.callback_data)?.[1];
    expect(offerId).toBeDefined();
    expect(buttons.map((b) => b.callback_data)).toEqual(buttons.map((_, i) => `pick:${offerId}:${i === buttons.length - 1 ? 0 : i + 1}`));
    expect(buttons[0]!.text).toBe('Reset your password');
    expect(buttons.at(-1)!.text).toBe('None of these — talk to the founder');
    // The numbers in the text name the same articles as the buttons.
    for (const [i, b] of buttons.slice(0, -1).entries()) expect(list.text).toContain(`${i + 1}. ${b.text}`);

    const before = h.sentTo(alice).length;
    await press(alice, list, buttons[0]!.callback_data);
    const [article] = await newMessages(alice, before, isArticle('Reset your password'), 'picked article');
    expect(article!.parse_mode).toBe('HTML');
    expect(checkTelegramHtml(article!.text!).problems).toEqual([]);
    expect(buttonsOf(article!).map((b) => b.text)).toEqual(['👍', '👎']);
    expect(h.sentTo(FOUNDER_ID)).toHaveLength(0);

    // Another customer: none of these fit.
    const bob = 2_000_002;
    const bobList = await ask(bob, 'can I get my money back');
    const titles = buttonsOf(bobList).slice(0, -1).map((b) => b.text);
    expect(titles[0]).toBe('Refunds');
    const bobBefore = h.sentTo(bob).length;
    await press(bob, bobList, buttonsOf(bobList).at(-1)!.callback_data);
    const told = await newMessages(bob, bobBefore, (m) => /founder/i.test(m.text ?? ''), 'customer told about the founder');
    expect(told.some(isArticle('Refunds'))).toBe(false);
    const [notice] = await h.settle(() => (h.sentTo(FOUNDER_ID).length > 0 ? h.sentTo(FOUNDER_ID) : null), 'founder notice');
    expect(notice!.text).toMatch(/none of the suggested articles fit/);
    expect(notice!.text).toContain('can I get my money back');
    expect(notice!.text).toContain('KB candidates');
    for (const title of titles) expect(notice!.text).toContain(title);
    const conversation = await desk.database.db.prisma.conversation.findFirstOrThrow({ where: { externalChatId: String(bob) } });
    expect(conversation.status).toBe('escalated');
  });

  it('a button of a list the conversation has moved on from is answered "no longer current", not applied', async () => {
    const carol = 2_000_003;
    const old = await ask(carol, 'my password does not work anymore');
    // A free-text reply is not a pick: the list did not fit, the founder takes over.
    expect((await h.post(textUpdate({ updateId: nextUpdate++, chatId: carol, fromId: carol, messageId: nextMessage++, text: 'how much does the pro plan cost' }))).status).toBe(200);
    await h.settle(() => h.sentTo(FOUNDER_ID).length > 0, 'escalation');

    const before = h.sentTo(carol).length;
    await press(carol, old, buttonsOf(old)[0]!.callback_data);
    const fresh = await newMessages(carol, before, (m) => /no longer current/.test(m.text ?? ''), 'stale notice');
    expect(fresh.some(isArticle('Reset your password'))).toBe(false);
    expect(await desk.database.db.prisma.message.count({ where: { author: 'bot', articleId: { not: null } } })).toBe(0);
    const stored = await desk.database.db.prisma.message.findFirstOrThrow({ where: { platformMessageId: { startsWith: 'action:' } } });
    expect(stored.text).toBe('[pressed: suggestion 1]');
  });

  it('learns from an unrejected pick after the window, not from one followed by 👎, and at most lessonsPerCustomerPerDay', async () => {
    const dave = 2_000_004;
    const erin = 2_000_005;
    const daveList = await ask(dave, 'my password does not work anymore');
    await press(dave, daveList, buttonsOf(daveList)[0]!.callback_data);

    const erinList = await ask(erin, 'can I get my money back');
    const erinBefore = h.sentTo(erin).length;
    await press(erin, erinList, buttonsOf(erinList)[0]!.callback_data);
    const [answer] = await newMessages(erin, erinBefore, isArticle('Refunds'), 'picked article');
    await press(erin, answer!, buttonsOf(answer!).find((b) => b.text === '👎')!.callback_data);
    await h.desk.drain();
    expect((await desk.database.db.prisma.conversation.findFirstOrThrow({ where: { externalChatId: String(erin) } })).status).toBe('escalated');

    expect(await desk.core.teachFromPicks()).toBe(0); // the window is still open
    clock += 61_000;
    expect(await desk.core.teachFromPicks()).toBe(1);
    expect((await desk.kb.getBySlug('reset-password'))!.questions).toContain('my password does not work anymore');
    expect((await desk.kb.getBySlug('refund-policy'))!.questions).not.toContain('can I get my money back');

    // Dave's next pick is over his daily limit (1 in this test): it teaches nothing.
    const second = await ask(dave, 'I want my money back for this month');
    expect(buttonsOf(second)[0]!.text).toBe('Refunds');
    await press(dave, second, buttonsOf(second)[0]!.callback_data);
    clock += 61_000;
    expect(await desk.core.teachFromPicks()).toBe(0);
    expect((await desk.kb.getBySlug('refund-policy'))!.questions).not.toContain('I want my money back for this month');
    expect(await desk.database.db.prisma.auditLog.count({ where: { action: 'article.learned_question' } })).toBe(1);
  });
});
