import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, InlineKeyboard, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callbackQueryUpdate, groupMentionUpdate, photoUpdate, textUpdate } from '../fixtures/telegram/updates.ts';
import { startFakeTelegram, telegramErrors, type FakeTelegram } from './telegram-bot-api.ts';

let tg: FakeTelegram;

beforeEach(async () => {
  tg = await startFakeTelegram();
});
afterEach(async () => {
  await tg.close();
});

function newBot(token = tg.token): Bot {
  return new Bot(token, { client: { apiRoot: tg.apiRoot }, botInfo: tg.botInfo });
}

describe('fake Telegram Bot API with grammY', () => {
  it('records sendMessage and answers with a Message', async () => {
    const bot = newBot();
    const keyboard = new InlineKeyboard().text('Resolve', 'kb:42');
    const first = await bot.api.sendMessage(1111111, 'Hello *there*', { parse_mode: 'MarkdownV2', reply_markup: keyboard });
    const second = await bot.api.sendMessage(1111111, 'Again');

    expect(first.chat).toMatchObject({ id: 1111111, type: 'private' });
    expect(first.text).toBe('Hello *there*');
    expect(second.message_id).toBe(first.message_id + 1);
    expect(tg.sent()).toEqual([
      expect.objectContaining({
        chat_id: 1111111, text: 'Hello *there*', parse_mode: 'MarkdownV2', message_id: first.message_id,
        reply_markup: { inline_keyboard: [[{ text: 'Resolve', callback_data: 'kb:42' }]] },
      }),
      expect.objectContaining({ chat_id: 1111111, text: 'Again', message_id: second.message_id }),
    ]);
  });

  it('getMe answers the bot identity', async () => {
    const me = await newBot().api.getMe();
    expect(me).toEqual(tg.botInfo);
    expect(tg.callsOf('getMe')).toHaveLength(1);
  });

  it('a wrong token gets 401 Unauthorized', async () => {
    const error = await newBot('999:wrong').api.sendMessage(1, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(401);
    expect((error as GrammyError).description).toBe('Unauthorized');
    expect(tg.calls).toHaveLength(0);
  });

  it('a scripted 429 surfaces as GrammyError with parameters.retry_after, once', async () => {
    const bot = newBot();
    tg.failNext('sendMessage', telegramErrors.tooManyRequests(7));
    const error = await bot.api.sendMessage(1, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(429);
    expect((error as GrammyError).parameters.retry_after).toBe(7);
    await expect(bot.api.sendMessage(1, 'y')).resolves.toMatchObject({ text: 'y' });
    expect(tg.sent().map((m) => m.text)).toEqual(['y']);
  });

  it('403 blocked and 400 chat not found carry the real descriptions', async () => {
    const bot = newBot();
    tg.failNext('sendMessage', telegramErrors.blocked());
    tg.failNext('sendMessage', telegramErrors.chatNotFound());
    await expect(bot.api.sendMessage(1, 'a')).rejects.toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(bot.api.sendMessage(1, 'b')).rejects.toMatchObject({ error_code: 400, description: 'Bad Request: chat not found' });
  });

  it('auto-retry honours retry_after and the retried call succeeds', async () => {
    const bot = newBot();
    bot.api.config.use(autoRetry());
    tg.failNext('sendMessage', telegramErrors.tooManyRequests(0), 2);
    const msg = await bot.api.sendMessage(5, 'eventually');
    expect(msg.text).toBe('eventually');
    expect(tg.callsOf('sendMessage').map((c) => c.failed?.error_code)).toEqual([429, 429, undefined]);
  });

  it('getUpdates long poll returns an update pushed while it waits, and honours offset', async () => {
    const bot = newBot();
    const polling = bot.api.getUpdates({ offset: 0, timeout: 30 });
    await tg.waitFor((c) => c.method === 'getUpdates');
    tg.pushUpdate(textUpdate({ updateId: 10000, chatId: 1111111, fromId: 1111111, text: '/start' }));
    const updates = await polling;
    expect(updates.map((u) => u.update_id)).toEqual([10000]);
    expect(updates[0]?.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);

    tg.pushUpdate(textUpdate({ updateId: 10001, chatId: 1111111, fromId: 1111111, text: 'next' }));
    const confirmed = await bot.api.getUpdates({ offset: 10001, timeout: 0 });
    expect(confirmed.map((u) => u.update_id)).toEqual([10001]);
  });

  it('getUpdates returns an empty list when the capped timeout elapses or the fake closes', async () => {
    const quick = await startFakeTelegram({ maxLongPollMs: 20 });
    const quickBot = new Bot(quick.token, { client: { apiRoot: quick.apiRoot }, botInfo: quick.botInfo });
    await expect(quickBot.api.getUpdates({ timeout: 30 })).resolves.toEqual([]);
    await quick.close();

    const bot = newBot();
    const pending = bot.api.getUpdates({ timeout: 30 });
    await tg.waitFor((c) => c.method === 'getUpdates' && c.payload.timeout === 30);
    await tg.close();
    await expect(pending).resolves.toEqual([]);
  });

  it('bot.start() polls, dispatches pushed updates to handlers, and replies reach the fake', async () => {
    const bot = newBot();
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    bot.on('callback_query:data', (ctx) => ctx.answerCallbackQuery({ text: `got ${ctx.callbackQuery.data}` }));
    bot.catch(() => undefined);
    tg.pushUpdate(textUpdate({ updateId: 1, chatId: 42, fromId: 42, text: 'hi' }));
    tg.pushUpdate(callbackQueryUpdate({ updateId: 2, fromId: 42, chatId: 42, data: 'kb:42', messageId: 7 }));
    const started = bot.start({ timeout: 1 });
    await tg.waitFor((c) => c.method === 'answerCallbackQuery');
    await bot.stop();
    await started;
    expect(tg.sent()).toEqual([expect.objectContaining({ chat_id: 42, text: 'echo: hi' })]);
    expect(tg.callsOf('answerCallbackQuery')[0]?.payload).toMatchObject({ text: 'got kb:42' });
    expect(tg.callsOf('deleteWebhook')).toHaveLength(1);
  });

  it('webhooks: remembers url and secret_token, and getUpdates conflicts while one is set', async () => {
    const bot = newBot();
    await bot.api.setWebhook('https://example.test/tg', { secret_token: 'abc_DEF-123' });
    expect(tg.webhook()).toEqual({ url: 'https://example.test/tg', secret_token: 'abc_DEF-123' });
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url: 'https://example.test/tg' });
    await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });
    await expect(bot.api.setWebhook('https://x.test', { secret_token: 'bad token!' })).rejects.toMatchObject({ error_code: 400 });
    await bot.api.deleteWebhook();
    expect(tg.webhook().url).toBe('');
  });

  it('edits: editMessageText returns the edited message; an identical edit is "not modified"', async () => {
    const bot = newBot();
    const msg = await bot.api.sendMessage(9, 'draft');
    const edited = await bot.api.editMessageText(9, msg.message_id, 'final');
    expect(edited).toMatchObject({ message_id: msg.message_id, text: 'final' });
    await expect(bot.api.editMessageText(9, msg.message_id, 'final')).rejects.toMatchObject({ error_code: 400 });
    const markup = await bot.api.editMessageReplyMarkup(9, msg.message_id, { reply_markup: new InlineKeyboard().text('x', 'y') });
    expect(markup).toMatchObject({ reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'y' }]] } });
  });

  it('misc methods: chat action, commands, getFile with download, unknown methods', async () => {
    const bot = newBot();
    await expect(bot.api.sendChatAction(1, 'typing')).resolves.toBe(true);
    await bot.api.setMyCommands([{ command: 'start', description: 'Start' }]);
    expect(await bot.api.getMyCommands()).toEqual([{ command: 'start', description: 'Start' }]);
    tg.putFile('F1', 'hello file', 'photos/f1.jpg');
    const file = await bot.api.getFile('F1');
    expect(file).toMatchObject({ file_id: 'F1', file_path: 'photos/f1.jpg', file_size: 10 });
    const download = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path ?? ''}`);
    expect(await download.text()).toBe('hello file');
    const raw = bot.api.raw as unknown as { someFutureMethod(payload: unknown): Promise<unknown> };
    await expect(raw.someFutureMethod({ a: 1 })).resolves.toBe(true);
    expect(tg.callsOf('someFutureMethod')[0]?.payload).toEqual({ a: 1 });
  });

  it('multipart uploads (sendDocument, sendPhoto) are recorded with decoded fields', async () => {
    const bot = newBot();
    const doc = await bot.api.sendDocument(-1001234, new InputFile(Buffer.from('pdf bytes'), 'a.pdf'), { caption: 'invoice' });
    expect(doc.document?.file_id).toBeTruthy();
    expect(tg.callsOf('sendDocument')[0]?.payload).toMatchObject({
      chat_id: -1001234, caption: 'invoice', document: { filename: 'a.pdf', size: 9, type: 'application/octet-stream' },
    });
    expect(tg.sent()).toEqual([expect.objectContaining({ method: 'sendDocument', chat_id: -1001234, text: 'invoice' })]);
    const photo = await bot.api.sendPhoto(5, new InputFile(Buffer.from('png'), 'p.png'), {
      reply_markup: new InlineKeyboard().text('ok', 'ok'),
    });
    expect(photo.photo?.length).toBeGreaterThan(0);
    expect(tg.callsOf('sendPhoto')[0]?.payload.reply_markup).toEqual({ inline_keyboard: [[{ text: 'ok', callback_data: 'ok' }]] });
  });

  it('waitFor rejects with the recorded calls listed', async () => {
    await newBot().api.sendMessage(1, 'only this');
    await expect(tg.waitFor((c) => c.method === 'editMessageText', 50)).rejects.toThrow(/sendMessage/);
  });
});

describe('Telegram fixtures', () => {
  it('build updates grammY routes to the right filters', async () => {
    const bot = newBot();
    const seen: string[] = [];
    bot.on('message:photo', (ctx) => { seen.push(`photo:${ctx.message.caption ?? ''}`); });
    bot.on('message:entities:mention', (ctx) => { seen.push(`mention:${ctx.chat.type}`); });
    await bot.handleUpdate(photoUpdate({ updateId: 1, chatId: 5, fromId: 5, caption: 'see' }));
    await bot.handleUpdate(groupMentionUpdate({ updateId: 2, chatId: -100777, fromId: 5 }));
    expect(seen).toEqual(['photo:see', 'mention:supergroup']);
  });
});
