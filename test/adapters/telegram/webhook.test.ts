import { afterEach, describe, expect, it } from 'vitest';
import { checkTelegramHtml } from './telegram-html.ts';
import { SECRET, startHarness, type Harness } from './harness.ts';
import { callbackQueryUpdate, groupMentionUpdate, textUpdate } from '../../fixtures/telegram/updates.ts';

const CUSTOMER = 1111111;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const countCustomerMessages = () => h!.desk.database.db.prisma.message.count({ where: { author: 'customer' } });

describe('Telegram webhook (real grammY behind our HTTP server)', () => {
  it('registers the webhook with its secret on start when PUBLIC_URL is set', async () => {
    h = await startHarness({ webhookSecret: SECRET, publicUrl: 'https://desk.example.com' });
    expect(h.channel.mode).toBe('webhook');
    expect(h.fake.webhook()).toEqual({ url: 'https://desk.example.com/telegram/webhook', secret_token: SECRET });
    expect(h.fake.callsOf('setWebhook')[0]?.payload.allowed_updates).toEqual(['message', 'callback_query']);
  });

  it('stores before it acknowledges, and answers a KB question with safe HTML and 👍/👎 buttons', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const response = await h.post(textUpdate({ updateId: 1, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 10, text: 'How do I reset my password?' }));
    expect(response.status).toBe(200);
    await h.desk.drain();
    expect(await countCustomerMessages()).toBe(1);

    const [reply] = await h.settle(() => (h!.sentTo(CUSTOMER).length > 0 ? h!.sentTo(CUSTOMER) : null), 'KB answer');
    expect(reply!.parse_mode).toBe('HTML');
    expect(reply!.text).toContain('<b>Reset your password</b>');
    expect(checkTelegramHtml(reply!.text!).problems).toEqual([]);
    const keyboard = reply!.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
    expect(keyboard.inline_keyboard.flat().map((b) => b.text)).toEqual(['👍', '👎']);
    expect(keyboard.inline_keyboard.flat()[0]!.callback_data).toMatch(/^fb:up:/);
    const stored = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'customer' } });
    expect(stored).toMatchObject({ channel: 'telegram', platformMessageId: `${CUSTOMER}:10` });
    const bot = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'bot' } });
    expect(bot.deliveryState).toBe('sent');
  });

  it('answers 401 to a wrong or missing secret and stores nothing', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const update = textUpdate({ updateId: 2, chatId: CUSTOMER, fromId: CUSTOMER, text: 'How do I reset my password?' });
    expect((await h.post(update, 'not-the-secret')).status).toBe(401);
    expect((await h.post(update, null)).status).toBe(401);
    expect((await h.post(update, `${SECRET}x`)).status).toBe(401);
    expect(await countCustomerMessages()).toBe(0);
    expect(await h.desk.database.db.prisma.outbox.count()).toBe(0);
    expect(await h.desk.drain()).toBe(0);
    expect(h.fake.sent()).toHaveLength(0);
  });

  it('a duplicate update produces one reply — also after a restart, when only the database remembers', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const update = textUpdate({ updateId: 3, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 11, text: 'Can I get a refund?' });
    expect((await h.post(update)).status).toBe(200);
    expect((await h.post(update)).status).toBe(200);
    await h.settle(() => h!.sentTo(CUSTOMER).length > 0, 'first reply');

    // Same database, a new channel instance (process restart), Telegram redelivers once more.
    const again = await startHarness({ webhookSecret: SECRET, desk: h.desk, fake: h.fake });
    try {
      expect((await again.post(update)).status).toBe(200);
      await again.desk.drain();
    } finally {
      await again.close();
    }
    expect(await countCustomerMessages()).toBe(1);
    expect(h.sentTo(CUSTOMER)).toHaveLength(1);
  });

  it('ignores a group message that does not mention the bot, answers one that does', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const group = -1009876543210;
    const plain = textUpdate({ updateId: 4, chatId: group, fromId: 42, messageId: 20, text: 'How do I reset my password?' });
    expect((await h.post(plain)).status).toBe(200);
    await h.desk.drain();
    expect(await countCustomerMessages()).toBe(0);

    const mention = groupMentionUpdate({ updateId: 5, chatId: group, fromId: 42, messageId: 21, text: 'How do I reset my password?' });
    expect((await h.post(mention)).status).toBe(200);
    const [reply] = await h.settle(() => (h!.sentTo(group).length > 0 ? h!.sentTo(group) : null), 'group answer');
    expect(reply!.text).toContain('Reset your password');
    const stored = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'customer' } });
    expect(stored.text).toBe('How do I reset my password?');
  });

  it('/start and /help are stored and answered once through the outbox; a redelivered /start greets once', async () => {
    h = await startHarness({ webhookSecret: SECRET, channel: { greeting: 'Welcome to Acme support!' } });
    const start = textUpdate({ updateId: 6, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 30, text: '/start' });
    expect((await h.post(start)).status).toBe(200);
    expect((await h.post(textUpdate({ updateId: 7, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 31, text: '/help' }))).status).toBe(200);
    await h.settle(() => h!.sentTo(CUSTOMER).length >= 2, 'greeting and help');
    // Telegram delivers /start again (our 200 was lost on the way).
    expect((await h.post(start)).status).toBe(200);
    await h.desk.drain();

    expect(h.sentTo(CUSTOMER).map((m) => m.text)).toEqual(['Welcome to Acme support!', expect.stringContaining('/human')]);
    const stored = await h.desk.database.db.prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' } });
    expect(stored.map((m) => m.text)).toEqual(['/start', '/help']);
    const replies = await h.desk.database.db.prisma.message.findMany({ where: { author: 'bot' } });
    expect(replies.map((m) => m.deliveryState)).toEqual(['sent', 'sent']);
    // A command is not a question: no KB answer, no escalation.
    const conversation = await h.desk.database.db.prisma.conversation.findFirstOrThrow();
    expect(conversation.status).not.toBe('escalated');
    expect(conversation.escalatedAt).toBeNull();
  });

  it('/human asks for the founder: the conversation is escalated', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    await h.post(textUpdate({ updateId: 8, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 40, text: '/human' }));
    await h.desk.drain();
    const conversation = await h.desk.database.db.prisma.conversation.findFirstOrThrow();
    expect(conversation.status).toBe('escalated');
    const [ack] = await h.settle(() => (h!.sentTo(CUSTOMER).length > 0 ? h!.sentTo(CUSTOMER) : null), 'escalation notice');
    expect(ack!.text).toMatch(/founder/i);
  });

  it('👎 on a KB answer escalates to the founder; the button press is acknowledged', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    await h.post(textUpdate({ updateId: 9, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 50, text: 'How do I reset my password?' }));
    const [answer] = await h.settle(() => (h!.sentTo(CUSTOMER).length > 0 ? h!.sentTo(CUSTOMER) : null), 'KB answer');
    const buttons = (answer!.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard.flat();
    const down = buttons.find((b) => b.callback_data.startsWith('fb:down:'))!.callback_data;

    const press = callbackQueryUpdate({ updateId: 10, fromId: CUSTOMER, chatId: CUSTOMER, data: down, messageId: answer!.message_id, queryId: 'cbq-1' });
    expect((await h.post(press)).status).toBe(200);
    await h.desk.drain();
    expect(h.fake.callsOf('answerCallbackQuery').map((c) => c.payload.callback_query_id)).toEqual(['cbq-1']);
    const conversation = await h.desk.database.db.prisma.conversation.findFirstOrThrow();
    expect(conversation.status).toBe('escalated');
    const feedback = await h.desk.database.db.prisma.feedback.findMany();
    expect(feedback).toHaveLength(1);

    // The same press redelivered changes nothing.
    expect((await h.post(press)).status).toBe(200);
    await h.desk.drain();
    expect(await h.desk.database.db.prisma.feedback.count()).toBe(1);
  });
});
