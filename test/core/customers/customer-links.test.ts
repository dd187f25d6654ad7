import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleFounderMessage, type FounderOutcome } from '../../../src/core/founder/founder-message.ts';
import type { CustomerChange, FounderNotice } from '../../../src/core/ports.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// `!link` / `!unlink` on a real desk: Ada writes on Telegram and, as "Ada L.", on Slack. Linking
// keeps every row (only owners change), replies keep going to the chat each conversation came
// from, and unlinking gives back exactly what was moved.

let desk: TestDesk;
let telegram: RecordingSender;
let slack: RecordingSender;
let founder: RecordingSender;
let seq = 0;
const db = () => desk.database.db.prisma;

function say(channel: 'telegram' | 'slack', text: string) {
  const who = channel === 'telegram' ? { user: 't-ada', name: 'Ada' } : { user: 'U-ADA', name: 'Ada L.' };
  return desk.core.handleInbound({
    channel,
    externalUserId: who.user,
    externalChatId: `chat-${who.user}`,
    platformMessageId: `m${++seq}`,
    text,
    sender: { displayName: who.name, ...(channel === 'telegram' ? { username: 'ada_t' } : {}) },
  }).then((r) => desk.decided(r));
}

const founderSays = (conversationId: string, text: string) =>
  handleFounderMessage(desk.core.founder, { conversationId, text, founder: 'slack:U1', platformMessageId: `f${++seq}` });

function changed(outcome: FounderOutcome): CustomerChange {
  if (outcome.kind !== 'customer_changed') throw new Error(`expected a customer change, got ${JSON.stringify(outcome)}`);
  return outcome.change;
}

/** Every row that says who owns what, and how much history each conversation holds. */
async function ownership() {
  const [identities, conversations, messages, feedback] = await Promise.all([
    db().channelIdentity.findMany({ select: { id: true, customerId: true, channel: true, externalUserId: true }, orderBy: { id: 'asc' } }),
    db().conversation.findMany({ select: { id: true, customerId: true, channel: true, externalChatId: true }, orderBy: { id: 'asc' } }),
    db().message.groupBy({ by: ['conversationId'], _count: { _all: true }, orderBy: { conversationId: 'asc' } }),
    db().feedback.findMany({ select: { id: true, conversationId: true, score: true }, orderBy: { id: 'asc' } }),
  ]);
  return { identities, conversations, messages: messages.map((m) => [m.conversationId, m._count._all]), feedback };
}

describe('!link and !unlink', () => {
  let onTelegram: string;
  let onSlack: string;
  let ada: string;
  let adaL: string;
  let before: Awaited<ReturnType<typeof ownership>>;

  beforeAll(async () => {
    telegram = new RecordingSender('telegram');
    slack = new RecordingSender('slack');
    founder = new RecordingSender('founder');
    desk = await createTestDesk({ senders: [telegram, slack, founder] });
    onTelegram = (await say('telegram', 'I want to talk to a human')).conversationId!;
    onSlack = (await say('slack', 'human please, about my invoice')).conversationId!;
    ada = (await db().conversation.findUniqueOrThrow({ where: { id: onTelegram } })).customerId;
    adaL = (await db().conversation.findUniqueOrThrow({ where: { id: onSlack } })).customerId;
    await db().feedback.create({ data: { conversationId: onTelegram, score: 5, kind: 'answer' } });
    await db().feedback.create({ data: { conversationId: onSlack, score: 2, kind: 'csat' } });
    before = await ownership();
  }, 60_000);

  afterAll(async () => {
    await desk?.dispose();
  });

  it('refuses a name that matches two customers, and changes nothing', async () => {
    const outcome = await founderSays(onTelegram, '!link ada');
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/matches 2 customers/) });
    expect(await ownership()).toEqual(before);
  });

  it('links: both customers\' conversations, messages and ratings under one customer, each conversation on its own chat', async () => {
    const change = changed(await founderSays(onTelegram, '!link Ada L.'));
    expect(change.change).toBe('linked');
    expect(change.other).toEqual({ customerId: adaL, displayName: 'Ada L.' });
    expect(change.profile.customerId).toBe(ada);
    expect(change.profile.identities.map((i) => `${i.channel}:${i.externalUserId}`).sort()).toEqual(['slack:U-ADA', 'telegram:t-ada']);
    expect(change.profile.conversationCount).toBe(2);
    expect(change.profile.ratings).toEqual({ count: 2, mean: 3.5, last: { score: 2, kind: 'csat' } });
    expect(change.profile.linked).toEqual([{ customerId: adaL, displayName: 'Ada L.' }]);

    const after = await ownership();
    // Same rows, same chats, same history; only the owner changed.
    expect(after.identities).toEqual(before.identities.map((i) => ({ ...i, customerId: ada })));
    expect(after.conversations).toEqual(before.conversations.map((c) => ({ ...c, customerId: ada })));
    expect(after.messages).toEqual(before.messages);
    expect(after.feedback).toEqual(before.feedback);
    expect((await db().customer.findUniqueOrThrow({ where: { id: adaL } })).mergedIntoId).toBe(ada);

    const link = await db().customerLink.findFirstOrThrow();
    expect(link).toMatchObject({ fromCustomerId: adaL, intoCustomerId: ada, conversationIds: [onSlack], undoneAt: null, by: 'slack:U1' });
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'customer.link' } });
    expect(audit).toMatchObject({ actor: 'slack:U1', entity: 'customer', entityId: ada, details: { fromCustomerId: adaL, conversationIds: [onSlack] } });
  });

  it('after the link, each identity continues its own conversation and replies go to the channel it came from', async () => {
    const fromSlack = await say('slack', 'any news on the invoice?');
    const fromTelegram = await say('telegram', 'still there?');
    expect(fromSlack.conversationId).toBe(onSlack);
    expect(fromTelegram.conversationId).toBe(onTelegram);

    await founderSays(onSlack, 'Your invoice is fixed.');
    await founderSays(onTelegram, 'Yes, here.');
    await desk.drain();
    const chatsOf = (sender: RecordingSender, text: string) =>
      sender.delivered.flatMap((d) => (d.payload.type === 'customer_message' && d.payload.message.text === text ? [d.payload.message.chatId] : []));
    expect(chatsOf(slack, 'Your invoice is fixed.')).toEqual(['chat-U-ADA']);
    expect(chatsOf(telegram, 'Yes, here.')).toEqual(['chat-t-ada']);
    expect(chatsOf(telegram, 'Your invoice is fixed.')).toEqual([]);
    expect(chatsOf(slack, 'Yes, here.')).toEqual([]);
  });

  it('/customer finds the linked customer by name or id as the one it is linked into', async () => {
    const byId = await desk.core.founder.findCustomers(adaL);
    expect(byId.map((p) => p.customerId)).toEqual([ada]);
    const byUsername = await desk.core.founder.findCustomers('@ADA_T');
    expect(byUsername.map((p) => p.customerId)).toEqual([ada]);
    // Both names now lead to one customer: no longer ambiguous.
    expect((await desk.core.founder.findCustomers('ada')).map((p) => p.customerId)).toEqual([ada]);
  });

  it('the next escalation shows every identity of the linked customer, and its tags and notes', async () => {
    await founderSays(onSlack, '!resolve');
    expect(changed(await founderSays(onTelegram, '!tag VIP, billing')).profile.tags).toEqual(['vip', 'billing']);
    expect(changed(await founderSays(onTelegram, '!note: prefers email')).profile.notes).toMatch(/^\d{4}-\d{2}-\d{2} slack:U1: prefers email$/);
    const reopened = await say('slack', 'I want a human again');
    expect(reopened.conversationId).not.toBe(onSlack);
    await desk.drain();
    const notice = founder.notices().filter((n): n is Extract<FounderNotice, { type: 'escalation' }> => n.type === 'escalation').at(-1)!;
    expect(notice.conversationId).toBe(reopened.conversationId);
    expect(notice.customer.customerId).toBe(ada);
    expect(notice.customer.identities?.map((i) => i.channel).sort()).toEqual(['slack', 'telegram']);
    expect(notice.customer.tags).toEqual(['vip', 'billing']);
    expect(notice.customer.notes).toMatch(/prefers email/);
  });

  it('unlinks: exactly what moved goes back (and the conversation opened since in that chat), the rest stays', async () => {
    const opened = (await db().conversation.findFirstOrThrow({ where: { channel: 'slack', status: { not: 'resolved' } } })).id;
    const change = changed(await founderSays(onTelegram, '!unlink'));
    expect(change).toMatchObject({ change: 'unlinked', other: { customerId: adaL } });
    expect(change.profile.identities.map((i) => i.channel)).toEqual(['telegram']);

    const after = await ownership();
    expect(after.identities).toEqual(before.identities);
    expect(after.conversations).toEqual(
      [...before.conversations, { id: opened, customerId: adaL, channel: 'slack', externalChatId: 'chat-U-ADA' }].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(after.feedback).toEqual(before.feedback);
    expect((await db().customer.findUniqueOrThrow({ where: { id: adaL } })).mergedIntoId).toBeNull();
    expect((await db().customerLink.findFirstOrThrow()).undoneAt).toBeInstanceOf(Date);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: 'customer.unlink' } });
    expect(audit).toMatchObject({ actor: 'slack:U1', entityId: ada, details: { fromCustomerId: adaL, conversationIds: [onSlack, opened] } });
    // The tags and the note were written on Ada, and stay hers.
    expect(change.profile.tags).toEqual(['vip', 'billing']);

    // Ada L. writes again: her own customer, her own chat.
    const again = await say('slack', 'thanks!');
    expect(again.conversationId).toBe(opened);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: opened } })).customerId).toBe(adaL);
  });

  it('refuses a second !unlink and a link of a customer into itself', async () => {
    expect(await founderSays(onTelegram, '!unlink')).toMatchObject({ kind: 'failed', reason: 'this customer has no link to undo' });
    expect(await founderSays(onTelegram, '!link ada_t')).toMatchObject({ kind: 'failed', reason: 'that is already this customer' });
    expect(await founderSays(onTelegram, '!link')).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/name the customer/) });
  });
});
