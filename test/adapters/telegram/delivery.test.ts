import { Bot } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../../src/adapters/telegram/send.ts';
import { NetworkError, PlatformApiError, RateLimitedError } from '../../../src/errors.ts';
import type { Delivery } from '../../../src/core/ports.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { startFakeTelegram, telegramErrors, type FakeTelegram } from '../../fakes/telegram-bot-api.ts';
import { textUpdate } from '../../fixtures/telegram/updates.ts';
import { SECRET, startHarness, type Harness } from './harness.ts';
import { checkTelegramHtml } from './telegram-html.ts';

const CUSTOMER = 2222222;
let h: Harness | undefined;
let fake: FakeTelegram | undefined;

afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = undefined;
  fake = undefined;
});

const ask = (text: string, updateId = 1, messageId = 100) =>
  h!.post(textUpdate({ updateId, chatId: CUSTOMER, fromId: CUSTOMER, messageId, text }));

describe('outbound to customers through the outbox (real dispatcher, real grammY, fake Bot API)', () => {
  it('429 with retry_after: the row waits it out and the answer is delivered once', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    h.fake.failNext('sendMessage', telegramErrors.tooManyRequests(2));
    await ask('How do I reset my password?');

    const before = Date.now();
    await h.desk.drain();
    expect(h.fake.callsOf('sendMessage').map((c) => c.failed?.error_code)).toEqual([429]);
    const row = await h.desk.database.db.prisma.outbox.findFirstOrThrow({ where: { channel: 'telegram' } });
    expect(row.status).toBe('pending');
    expect(row.nextAttemptAt.getTime() - before).toBeGreaterThanOrEqual(2000);
    expect(row.lastError).toMatch(/rate limited, retry after 2000 ms/);

    await h.settle(() => h!.sentTo(CUSTOMER).length > 0, 'delivery after retry_after');
    await h.desk.drain();
    expect(h.fake.callsOf('sendMessage')).toHaveLength(2);
    expect(h.sentTo(CUSTOMER)).toHaveLength(1);
    const sent = await h.desk.database.db.prisma.outbox.findUniqueOrThrow({ where: { id: row.id } });
    expect(sent.status).toBe('sent');
    expect(sent.platformMessageId).toBe(`${CUSTOMER}:${h.sentTo(CUSTOMER)[0]!.message_id}`);
  });

  it('403 (blocked by the user) stops retries and marks the identity blocked', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    h.fake.failNext('sendMessage', telegramErrors.blocked());
    await ask('How do I reset my password?');
    await h.desk.drain();

    const row = await h.desk.database.db.prisma.outbox.findFirstOrThrow({ where: { channel: 'telegram' } });
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/403 Forbidden: bot was blocked by the user/);
    const identity = await h.desk.database.db.prisma.channelIdentity.findFirstOrThrow({ where: { channel: 'telegram', externalUserId: String(CUSTOMER) } });
    expect(identity.blockedAt).not.toBeNull();
    const message = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'bot' } });
    expect(message.deliveryState).toBe('failed');

    expect(await h.desk.drain()).toBe(0);
    expect(h.fake.callsOf('sendMessage')).toHaveLength(1);
  });

  it('a 10,000-character answer goes out as several messages ≤ 4,096, cut between paragraphs, buttons on the last', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const paragraphs = Array.from({ length: 40 }, (_, n) => `Step ${n + 1}: ${'configure the **sync** option and check the_log_file & retry. '.repeat(4).trim()}`);
    const body = paragraphs.join('\n\n');
    expect(body.length).toBeGreaterThanOrEqual(10_000);
    await h.desk.kb.create(
      { title: 'Full migration guide', body, questions: ['How do I migrate my workspace from the legacy server?'], status: 'published' },
      'test',
    );
    await ask('How do I migrate my workspace from the legacy server?');

    const parts = await h.settle(() => (h!.sentTo(CUSTOMER).length >= 3 ? h!.sentTo(CUSTOMER) : null), 'split answer');
    expect(parts.length).toBe(3);
    for (const part of parts) {
      expect(part.text!.length).toBeLessThanOrEqual(4096);
      expect(part.parse_mode).toBe('HTML');
      expect(checkTelegramHtml(part.text!).problems).toEqual([]);
    }
    expect(parts.slice(0, -1).every((p) => p.reply_markup === undefined)).toBe(true);
    expect(parts.at(-1)!.reply_markup).toBeDefined();
    // Whole paragraphs only: every "Step n:" paragraph appears intact in exactly one message.
    const visible = parts.map((p) => checkTelegramHtml(p.text!).visible);
    for (let n = 1; n <= 40; n++) {
      const holders = visible.filter((v) => v.split('\n\n').some((para) => para.startsWith(`Step ${n}: configure`) && para.endsWith('retry.')));
      expect(holders, `Step ${n}`).toHaveLength(1);
    }
    const row = await h.desk.database.db.prisma.outbox.findFirstOrThrow({ where: { channel: 'telegram' } });
    expect(row.platformMessageId!.split(',')).toHaveLength(3);
  });
});

describe('the Telegram sender on its own', () => {
  function delivery(text: string, extra: Partial<{ format: 'plain' | 'markdown'; buttons: Array<{ action: string; label: string }>; chatId: string }> = {}): Delivery {
    return {
      id: `d-${Math.random().toString(16).slice(2)}`,
      channel: 'telegram',
      attempt: 1,
      payload: {
        type: 'customer_message',
        conversationId: 'c1',
        messageId: 'm1',
        message: { channel: 'telegram', chatId: extra.chatId ?? '3333', text, format: extra.format ?? 'plain', ...(extra.buttons ? { buttons: extra.buttons } : {}) },
      },
    };
  }

  async function senderFor(f: FakeTelegram, logs: string[] = []) {
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => logs.push(s) } as unknown as NodeJS.WritableStream });
    const bot = new Bot(f.token, { client: { apiRoot: f.apiRoot }, botInfo: f.botInfo });
    return { bot, sender: createTelegramSender({ api: bot.api, token: f.token, logger }) };
  }

  it('declares the Telegram limits and maps errors: chat not found and other 4xx permanent, 5xx transient, 429 with its wait', async () => {
    fake = await startFakeTelegram();
    const { sender } = await senderFor(fake);
    expect(sender.channel).toBe('telegram');
    expect(sender.limits).toEqual({ perChatIntervalMs: 1000, perSecond: 25 });

    fake.failNext('sendMessage', telegramErrors.chatNotFound());
    const notFound = await sender.send(delivery('hi')).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(PlatformApiError);
    expect(notFound).toMatchObject({ permanent: true, status: 400, reason: 'chat_not_found' });

    fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: message text is empty' });
    expect(await sender.send(delivery('hi')).catch((e: unknown) => e)).toMatchObject({ permanent: true, reason: 'rejected' });

    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    const transient = await sender.send(delivery('hi')).catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(PlatformApiError);
    expect(transient).toMatchObject({ permanent: false, status: 502 });

    fake.failNext('sendMessage', telegramErrors.tooManyRequests(7));
    const limited = await sender.send(delivery('hi')).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(7000);

    // The sender does not retry on its own: the outbox does.
    expect(fake.callsOf('sendMessage')).toHaveLength(4);
  });

  it('resumes a split message after the parts already delivered (no paragraph sent twice)', async () => {
    fake = await startFakeTelegram();
    const f = fake;
    const { bot, sender } = await senderFor(f);
    // Script the fake at the right moment: once the first part went out, the next call gets a 429.
    let armed = true;
    bot.api.config.use(async (prev, method, payload, signal) => {
      const result = await prev(method, payload, signal);
      if (armed && method === 'sendMessage' && result.ok) {
        armed = false;
        f.failNext('sendMessage', telegramErrors.tooManyRequests(1));
      }
      return result;
    });
    const text = Array.from({ length: 3 }, (_, n) => `${String(n + 1)}`.repeat(3000)).join('\n\n');
    const d = delivery(text, { chatId: '4444' });
    await expect(sender.send(d)).rejects.toBeInstanceOf(RateLimitedError);
    const result = await sender.send({ ...d, attempt: 2 });
    expect(result.platformMessageIds).toHaveLength(2);
    expect(f.sent().map((m) => m.text![0])).toEqual(['1', '2', '3']);
  });

  it('falls back to plain text if Telegram ever refuses our HTML', async () => {
    fake = await startFakeTelegram();
    const { sender } = await senderFor(fake);
    fake.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0" });
    await sender.send(delivery('**Bold** & more', { format: 'markdown' }));
    const [sent] = fake.sent();
    expect(sent!.parse_mode).toBeUndefined();
    expect(sent!.text).toBe('Bold & more');
  });

  it('leaves out a button whose action does not fit callback_data (64 bytes), and says so', async () => {
    fake = await startFakeTelegram();
    const logs: string[] = [];
    const { sender } = await senderFor(fake, logs);
    await sender.send(delivery('Pick one', { buttons: [{ action: 'pick:0123456789:1', label: 'One' }, { action: `x:${'y'.repeat(70)}`, label: 'Too long' }] }));
    const markup = fake.sent()[0]!.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> };
    expect(markup.inline_keyboard.flat().map((b) => b.callback_data)).toEqual(['pick:0123456789:1']);
    expect(logs.join('')).toMatch(/longer than 64 bytes/);
  });

  it('a network failure is transient and never carries the bot token', async () => {
    const dead = await startFakeTelegram();
    await dead.close();
    const logs: string[] = [];
    const { sender } = await senderFor(dead, logs);
    const error = await sender.send(delivery('hi')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(PlatformApiError);
    const rendered = `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)} ${String((error as Error).cause ?? '')}`;
    expect(rendered).not.toContain(dead.token);
    expect(rendered).not.toContain(dead.token.split(':')[1]);
  });
});
