import { afterEach, describe, expect, it } from 'vitest';
import { conversationFromTag, conversationTag, noticeChunks } from '../../../src/adapters/telegram/founder.ts';
import { FOUNDER_CHANNEL } from '../../../src/core/ports.ts';
import { callbackQueryUpdate, documentUpdate, photoUpdate, textUpdate, type BaseMessageOptions } from '../../fixtures/telegram/updates.ts';
import type { Update } from 'grammy/types';
import { RecordingSender } from '../../support/test-desk.ts';
import type { SentTelegramMessage } from '../../fakes/telegram-bot-api.ts';
import { FOUNDER_ID, SECRET, startHarness, type Harness } from './harness.ts';
import { checkTelegramHtml } from './telegram-html.ts';
import { exampleEscalation } from '../../fixtures/slack/notices.ts';

const CUSTOMER = 5555555;
const QUESTION = 'Do you have a public API for webhooks?';
let h: Harness | undefined;
let nextUpdate = 1;
let nextFounderMessage = 9000;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function customerSays(text: string, messageId: number) {
  return h!.post(textUpdate({ updateId: nextUpdate++, chatId: CUSTOMER, fromId: CUSTOMER, messageId, text, firstName: 'Grace' }));
}

/** The founder replies (Telegram "reply") to one of the bot's messages in their private chat. */
async function founderReplies(to: { message_id: number; text: string | undefined }, text: string) {
  return founderRepliesWith(to, (base) => textUpdate({ ...base, text }));
}

/** The same with any kind of message (a photo, a document …) built from the reply's essentials. */
async function founderRepliesWith(to: { message_id: number; text: string | undefined }, build: (base: BaseMessageOptions) => Update) {
  const messageId = nextFounderMessage++;
  const visible = checkTelegramHtml(to.text ?? '').visible;
  const response = await h!.post(
    build({ updateId: nextUpdate++, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId, replyTo: { messageId: to.message_id, text: visible, isBot: true, fromId: h!.fake.botInfo.id } }),
  );
  expect(response.status).toBe(200);
  // The confirmation answers the founder's message.
  const confirmation = h!.fake.sent().find((m) => Number(m.chat_id) === FOUNDER_ID && (m.payload.reply_parameters as { message_id?: number } | undefined)?.message_id === messageId);
  return confirmation?.text ?? '';
}

async function escalate(): Promise<{ notice: SentTelegramMessage; conversationId: string }> {
  await customerSays(QUESTION, 1);
  await h!.desk.drain();
  const conversation = await h!.desk.database.db.prisma.conversation.findFirstOrThrow();
  expect(conversation.status).toBe('escalated');
  const [notice] = await h!.settle(() => (h!.sentTo(FOUNDER_ID).length > 0 ? h!.sentTo(FOUNDER_ID) : null), 'escalation notice');
  return { notice: notice!, conversationId: conversation.id };
}

describe('conversation tags', () => {
  it('round-trips a conversation id through the #c tag', () => {
    const id = '3f2b8c1e-9a7d-4e21-b6c0-1d2e3f4a5b6c';
    expect(conversationTag(id)).toBe('#c3f2b8c1e9a7d4e21b6c01d2e3f4a5b6c');
    expect(conversationFromTag(`🆘 Escalation ${conversationTag(id)}\nWhy: …`)).toBe(id);
    expect(conversationFromTag('no tag here')).toBeNull();
  });
});

describe('channel event messages', () => {
  it('keep the QR code address in the plain text sent should Telegram refuse the HTML', () => {
    const url = 'https://login.weixin.qq.com/l/QR-1';
    const [chunk, ...more] = noticeChunks({ type: 'channel_event', event: { channel: 'wechat', event: 'login_qr', detail: '', url } });
    expect(more).toEqual([]);
    expect(chunk!.plain).toBe(`📡 WeChat needs a new login: scan the QR code\n🔗 Open the QR code: ${url}`);
  });
});

describe('Telegram as the founder console (no Slack configured)', () => {
  it('posts the escalation to the founder and relays the founder’s Telegram reply to the customer', async () => {
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
    expect(h.channel.senders.map((s) => s.channel)).toEqual(['telegram', FOUNDER_CHANNEL]);
    const { notice, conversationId } = await escalate();
    expect(notice.parse_mode).toBe('HTML');
    expect(checkTelegramHtml(notice.text!).problems).toEqual([]);
    expect(notice.text).toContain(conversationTag(conversationId));
    expect(notice.text).toContain(QUESTION);
    expect(notice.text).toContain('Grace');
    const [ack] = h.sentTo(CUSTOMER);
    expect(ack!.text).toMatch(/passed your message to the founder/);

    const confirmation = await founderReplies(notice, 'Not yet — it is on the roadmap for March.');
    expect(confirmation).toMatch(/Sent to the customer/);
    const relayed = await h.settle(() => h!.sentTo(CUSTOMER).find((m) => m.text === 'Not yet — it is on the roadmap for March.'), 'relayed reply');
    expect(relayed.parse_mode).toBeUndefined();
    const stored = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'founder' } });
    expect(stored).toMatchObject({ conversationId, authorRef: `telegram:${FOUNDER_ID}` });
    // The founder's messages are never customer messages.
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(1);
  });

  it('a note stays internal; !resolve resolves; an unknown !command is refused', async () => {
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
    const { notice, conversationId } = await escalate();
    const before = h.sentTo(CUSTOMER).length;

    expect(await founderReplies(notice, 'note: she asked the same last month')).toMatch(/Note kept internal/);
    expect(await founderReplies(notice, '!frobnicate')).toMatch(/Unknown command/);
    await h.desk.drain();
    expect(h.sentTo(CUSTOMER)).toHaveLength(before);
    // The note is kept in the conversation as a note with nothing to deliver; the command left nothing.
    const founderRows = await h.desk.database.db.prisma.message.findMany({ where: { author: 'founder' }, include: { outbox: true } });
    expect(founderRows).toMatchObject([
      { conversationId, kind: 'note', text: 'note: she asked the same last month', authorRef: `telegram:${FOUNDER_ID}`, deliveryState: 'not_applicable', outbox: [] },
    ]);

    expect(await founderReplies(notice, '!resolve')).toMatch(/Resolved/);
    const conversation = await h.desk.database.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.status).toBe('resolved');
  });

  it('a founder reply with a file: the caption is relayed, the file is not, and the founder is told so', async () => {
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
    const { notice, conversationId } = await escalate();
    const tag = conversationTag(conversationId);
    const filesNotice = (name: string) => () =>
      h!.sentTo(FOUNDER_ID).find((m) => /not sent to the customer: only text is relayed/.test(m.text ?? '') && m.text!.includes(name));

    const withCaption = await founderRepliesWith(notice, (base) => documentUpdate({ ...base, fileName: 'setup-guide.pdf', caption: 'Here is the setup guide.' }));
    expect(withCaption).toMatch(/Sent the text to the customer; the files were not relayed/);
    await h.settle(() => h!.sentTo(CUSTOMER).find((m) => m.text === 'Here is the setup guide.'), 'the caption relayed');
    const told = await h.settle(filesNotice('setup-guide.pdf'), 'founder told about the document');
    expect(told.text).toContain(tag);
    expect(checkTelegramHtml(told.text!).problems).toEqual([]);

    const customerBefore = h.sentTo(CUSTOMER).length;
    const photo = (base: BaseMessageOptions) => photoUpdate({ ...base, fileId: 'FOUNDER-PHOTO' });
    const photoOnly = await founderRepliesWith(notice, photo);
    expect(photoOnly).toMatch(/Nothing sent: files cannot be relayed/);
    await h.settle(filesNotice('photo'), 'founder told about the photo');

    // Telegram redelivers the photo reply: the founder is not told twice.
    const again = photo({ updateId: nextUpdate - 1, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId: nextFounderMessage - 1, replyTo: { messageId: notice.message_id, isBot: true, fromId: h.fake.botInfo.id, text: checkTelegramHtml(notice.text ?? '').visible } });
    expect((await h.post(again)).status).toBe(200);
    await h.desk.drain();
    expect(h.sentTo(FOUNDER_ID).filter((m) => /not sent to the customer: only text is relayed/.test(m.text ?? '') && m.text!.includes('photo'))).toHaveLength(1);
    // Nothing reached the customer for the photo: no empty message, no file.
    expect(h.sentTo(CUSTOMER)).toHaveLength(customerBefore);
    expect(h.fake.sent().filter((m) => m.method !== 'sendMessage')).toHaveLength(0);
    const relayed = await h.desk.database.db.prisma.message.findMany({ where: { author: 'founder', text: { not: '' } } });
    expect(relayed.map((m) => m.text)).toEqual(['Here is the setup guide.']);
  });

  it('a channel event (WeChat login QR code) reaches every founder untagged, with its link; a reply to it is no conversation reply', async () => {
    const OTHER_FOUNDER = 777000222;
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID, OTHER_FOUNDER] });
    const url = 'https://login.weixin.qq.com/l/QR-abc_123?x=1&y=2';
    // A detail that looks like a tag must not make the notice a conversation's.
    await h.desk.core.reportChannelEvent({ channel: 'wechat', event: 'login_qr', detail: 'Scan with the desk phone #cafe', url });
    const [notice] = await h.settle(() => (h!.sentTo(FOUNDER_ID).length > 0 ? h!.sentTo(FOUNDER_ID) : null), 'the QR notice');
    expect(h.sentTo(OTHER_FOUNDER)).toHaveLength(1);
    expect(notice!.parse_mode).toBe('HTML');
    expect(checkTelegramHtml(notice!.text!).problems).toEqual([]);
    expect(notice!.text).toContain('WeChat needs a new login: scan the QR code');
    expect(notice!.text).toContain(`<a href="${url.replace(/&/g, '&amp;')}">Open the QR code</a>`);
    expect(notice!.text).not.toMatch(/#c[0-9a-f]{32}/);
    expect(h.sentTo(CUSTOMER)).toEqual([]);

    const confirmation = await founderReplies(notice!, 'Done, scanned it.');
    expect(confirmation).toMatch(/not a customer conversation: nothing was sent/);
    await h.desk.drain();
    expect(await h.desk.database.db.prisma.message.count()).toBe(0);
    expect(h.sentTo(CUSTOMER)).toEqual([]);
  });

  it('👎 on an answer reaches the founder as an escalation', async () => {
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
    await customerSays('How do I reset my password?', 1);
    const [answer] = await h.settle(() => (h!.sentTo(CUSTOMER).length > 0 ? h!.sentTo(CUSTOMER) : null), 'KB answer');
    const down = (answer!.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard.flat().find((b) => b.callback_data.startsWith('fb:down:'))!;
    await h.post(callbackQueryUpdate({ updateId: nextUpdate++, fromId: CUSTOMER, chatId: CUSTOMER, data: down.callback_data, messageId: answer!.message_id }));
    const [notice] = await h.settle(() => (h!.sentTo(FOUNDER_ID).length > 0 ? h!.sentTo(FOUNDER_ID) : null), 'escalation after 👎');
    expect(notice!.text).toMatch(/Escalation/);
    expect(notice!.text).toMatch(/did not help/);
    await h.settle(() => h!.sentTo(CUSTOMER).some((m) => /Sorry that didn't help/.test(m.text ?? '')), 'apology to the customer');
  });

  it('/kb search, /kb show and /kb list answer the founder in private', async () => {
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
    const command = async (text: string) => {
      const count = h!.sentTo(FOUNDER_ID).length;
      await h!.post(textUpdate({ updateId: nextUpdate++, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId: nextFounderMessage++, text }));
      return h!.sentTo(FOUNDER_ID).slice(count).map((m) => m.text ?? '').join('\n');
    };
    const search = await command('/kb search how do I reset my password');
    expect(search).toMatch(/Decision: <b>answer<\/b>/);
    expect(search).toMatch(/1\. Reset your password <code>reset-password<\/code> — \d+%.*← answer/);
    const slug = /<code>([a-z0-9-]+)<\/code>/.exec(search)![1]!;
    const shown = await command(`/kb show ${slug}`);
    expect(shown).toContain('<b>Reset your password</b>');
    expect(shown).toContain('Send reset link');
    const list = await command('/kb list');
    expect(list).toMatch(new RegExp(`${(await h.desk.kb.list()).length} articles`));
    expect(list).toContain('<code>reset-password</code> — Reset your password');
    expect(await command('/kb show no-such-article')).toMatch(/No article/);
    for (const m of h.sentTo(FOUNDER_ID)) expect(checkTelegramHtml(m.text ?? '').problems).toEqual([]);
    expect(await h.desk.database.db.prisma.message.count()).toBe(0);
  });
});

describe('with Slack as the founder console', () => {
  it('a founder reply given through the core (ctx.core.founder.reply) reaches the Telegram customer', async () => {
    h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID], slack: true });
    expect(h.channel.senders.map((s) => s.channel)).toEqual(['telegram']);
    const slack = new RecordingSender(FOUNDER_CHANNEL);
    h.desk.core.dispatcher.registerSender(slack);

    await customerSays(QUESTION, 1);
    const [escalation] = await h.settle(() => (slack.notices().length > 0 ? slack.notices() : null), 'escalation');
    expect(escalation).toMatchObject({ type: 'escalation', question: QUESTION, customer: { channel: 'telegram', externalUserId: String(CUSTOMER) } });
    if (escalation?.type !== 'escalation') throw new Error('the first notice is not the escalation');

    await h.desk.core.founder.reply({ conversationId: escalation.conversationId, text: 'We ship webhooks in **v2**.', founder: 'slack:U1' });
    const relayed = await h.settle(() => h!.sentTo(CUSTOMER).find((m) => m.text?.includes('webhooks')), 'relayed reply');
    expect(relayed.text).toContain('We ship webhooks');
    // Founder commands still work from Telegram; conversations are not answered there.
    await h.post(textUpdate({ updateId: nextUpdate++, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId: 1, text: 'hello?' }));
    expect(h.sentTo(FOUNDER_ID).at(-1)?.text).toMatch(/handled in Slack/);
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(1);
  });
});

describe('LLM notices on Telegram', () => {
  it('a draft shows its sources, why it did not go alone and how to send it; an auto answer is labelled and tagged', () => {
    const [draft] = noticeChunks({ ...exampleEscalation, draftSources: [{ slug: 'invoices-and-vat', title: 'Invoices and VAT' }], notSentBecause: 'cites no article' });
    expect(draft!.text).toContain('The draft cites: Invoices and VAT (invoices-and-vat)');
    expect(draft!.text).toContain('Not sent by itself because: cites no article');
    expect(draft!.text).toContain('<code>!send</code>');
    expect(checkTelegramHtml(draft!.text).problems).toEqual([]);

    const [auto] = noticeChunks({
      type: 'auto_answer', conversationId: exampleEscalation.conversationId, customer: exampleEscalation.customer,
      question: 'VAT <twice>?', answer: 'Invoices list VAT once & per line.', sources: [{ slug: 'invoices-and-vat', title: 'Invoices and VAT' }],
    });
    expect(auto!.text).toContain('Answered by the LLM (auto)');
    expect(auto!.text).toContain(conversationTag(exampleEscalation.conversationId));
    expect(auto!.text).toContain('Invoices list VAT once &amp; per line.');
    expect(checkTelegramHtml(auto!.text).problems).toEqual([]);
  });
});
