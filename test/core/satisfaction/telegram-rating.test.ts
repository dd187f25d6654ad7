import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentTelegramMessage } from '../../fakes/telegram-bot-api.ts';
import { callbackQueryUpdate, textUpdate } from '../../fixtures/telegram/updates.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';
import { FOUNDER_ID, SECRET, startHarness, type Harness } from '../../adapters/telegram/harness.ts';

// The rating prompt through the real grammY channel and the fake Bot API: an inline keyboard 1–5
// the core made with no Telegram code of its own, and a callback press recorded as the rating.

type Button = { text: string; callback_data: string };
const buttonsOf = (m: SentTelegramMessage): Button[] =>
  (m.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard?.flat() ?? [];

let desk: TestDesk;
let h: Harness;
let nextUpdate = 1;

beforeAll(async () => {
  desk = await createTestDesk({ settings: { csatEnabled: true } });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID], desk });
});
afterAll(async () => {
  await h.close();
  await desk.dispose();
});

async function press(chat: number, message: SentTelegramMessage, data: string): Promise<void> {
  const queryId = `cbq-${nextUpdate}`;
  expect((await h.post(callbackQueryUpdate({ updateId: nextUpdate++, fromId: chat, chatId: chat, data, messageId: message.message_id, queryId }))).status).toBe(200);
  expect(h.fake.callsOf('answerCallbackQuery').map((c) => c.payload.callback_query_id)).toContain(queryId);
}

describe('Telegram: satisfaction rating', () => {
  it('a 👍 brings the 1–5 inline keyboard; pressing 4 is stored as the conversation’s rating', async () => {
    const chat = 3_000_001;
    expect((await h.post(textUpdate({ updateId: nextUpdate++, chatId: chat, fromId: chat, messageId: 500, text: 'How do I reset my password?' }))).status).toBe(200);
    const answer = await h.settle(() => h.sentTo(chat).find((m) => buttonsOf(m).length === 2), 'the answer with 👍/👎');
    await press(chat, answer, buttonsOf(answer)[0]!.callback_data);

    const prompt = await h.settle(() => h.sentTo(chat).find((m) => buttonsOf(m).length === 5), 'the rating prompt');
    expect(prompt.text).toMatch(/^Thanks for the feedback!\n\nHow did we do\?/);
    expect(buttonsOf(prompt).map((b) => b.text)).toEqual(['1 😞', '2 🙁', '3 😐', '4 🙂', '5 😍']);
    expect(buttonsOf(prompt).every((b) => /^csat:[0-9a-f-]{36}:[1-5]$/.test(b.callback_data))).toBe(true);

    await press(chat, prompt, buttonsOf(prompt)[3]!.callback_data);
    const thanks = await h.settle(() => h.sentTo(chat).find((m) => /Thanks for rating us 4\/5/.test(m.text ?? '')), 'the thanks');
    expect(thanks.chat_id).toBe(chat);
    const prisma = desk.database.db.prisma;
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { channel: 'telegram', externalChatId: String(chat) } });
    expect(conversation.csatScore).toBe(4);
    expect(await prisma.feedback.findMany({ where: { conversationId: conversation.id }, select: { kind: true, score: true }, orderBy: { createdAt: 'asc' } })).toEqual([
      { kind: 'answer', score: 5 },
      { kind: 'csat', score: 4 },
    ]);
  });
});
