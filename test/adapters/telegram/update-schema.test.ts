/**
 * The update check and the normalisers on arbitrary input (fast-check): whatever arrives, they
 * never throw, and what they produce is either null / a rejection or a message the core accepts.
 */
import fc from 'fast-check';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { parseMessage, parseUpdate } from '../../../src/adapters/telegram/parse.ts';
import { checkUpdate, MAX_UPDATE_DEPTH } from '../../../src/adapters/telegram/update-schema.ts';
import { jsonDepth } from '../../../src/core/sanitize.ts';
import { InboundMessageSchema } from '../../../src/core/messages.ts';
import {
  callbackQueryUpdate,
  documentUpdate,
  groupMentionUpdate,
  photoUpdate,
  stickerUpdate,
  textUpdate,
  voiceUpdate,
} from '../../fixtures/telegram/updates.ts';

const bot: Pick<UserFromGetMe, 'id' | 'username'> = { id: 123456789, username: 'solodesk_test_bot' };

/** Any UTF-16 code unit, lone surrogates and NUL included: what a JSON body can carry. */
const codeUnits = (maxLength = 40) =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });
const text = fc.oneof(codeUnits(), fc.constantFrom('/start', '/help', '/human please', '@solodesk_test_bot hi', ''), fc.string({ maxLength: 300 }));
const int = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(0));
const nat = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER));
const user = fc.record(
  { id: int, is_bot: fc.boolean(), first_name: codeUnits(300), last_name: codeUnits(), username: codeUnits(), language_code: codeUnits(30) },
  { requiredKeys: ['id', 'is_bot', 'first_name'] },
);
const entity = fc.oneof(
  fc.record({ type: fc.constantFrom('bot_command', 'mention', 'hashtag', 'bold'), offset: nat, length: nat }),
  fc.record({ type: fc.constant('text_mention'), offset: nat, length: nat, user }),
);
const file = fc.record(
  { file_id: codeUnits(50).filter((s) => s.length > 0), file_name: codeUnits(600), mime_type: codeUnits(300), file_size: nat },
  { requiredKeys: ['file_id'] },
);

/** Messages of every shape the update schema allows, with hostile strings and extreme numbers. */
const message = fc.record(
  {
    message_id: int,
    date: nat,
    chat: fc.record({ id: int, type: fc.constantFrom('private', 'group', 'supergroup', 'channel', 'weird') }),
    from: user,
    text,
    caption: text,
    entities: fc.array(entity, { maxLength: 4 }),
    caption_entities: fc.array(entity, { maxLength: 2 }),
    reply_to_message: fc.record({ message_id: int, from: user, text }, { requiredKeys: ['message_id'] }),
    is_topic_message: fc.boolean(),
    message_thread_id: int,
    photo: fc.array(fc.record({ file_id: codeUnits(20).filter((s) => s.length > 0), width: nat, height: nat, file_size: nat }, { requiredKeys: ['file_id', 'width', 'height'] }), { maxLength: 3 }),
    document: file,
    animation: file,
    voice: file,
    audio: fc.record({ file_id: fc.string({ minLength: 1 }), title: codeUnits() }, { requiredKeys: ['file_id'] }),
    video: file,
    video_note: file,
    sticker: fc.record({ file_id: fc.string({ minLength: 1 }), emoji: codeUnits(4), set_name: codeUnits() }, { requiredKeys: ['file_id'] }),
    location: fc.record({ latitude: fc.double({ noNaN: true, noDefaultInfinity: true }), longitude: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
    contact: fc.record({ first_name: codeUnits(), last_name: codeUnits(), phone_number: codeUnits(20) }, { requiredKeys: ['first_name', 'phone_number'] }),
    unknown_future_field: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['message_id', 'date', 'chat'] },
);
const update = fc.record({ update_id: nat, message }, { requiredKeys: ['update_id'] });
const messageUpdate = fc.record({ update_id: nat, message });

function acceptedByCore(input: unknown): boolean {
  return InboundMessageSchema.safeParse(input).success;
}

describe('checkUpdate and parseUpdate on arbitrary values', () => {
  it('never throw on anything; a message they produce is one the core accepts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), update), (value) => {
        const checked = checkUpdate(value);
        if (!checked.ok) expect(checked.reason).toMatch(/^(too_deep|invalid:[\w.]+:\w+)$/);
        const input = parseUpdate(value, bot);
        expect(input === null || acceptedByCore(input)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accept every message shape the schema allows, and parseMessage turns it into valid core input or null', () => {
    fc.assert(
      fc.property(messageUpdate, (value) => {
        const checked = checkUpdate(value);
        expect(checked.ok).toBe(true);
        const input = parseMessage(value.message as unknown as Message, bot, { raw: value });
        if (input !== null) {
          expect(acceptedByCore(input)).toBe(true);
          expect(input.platformMessageId).toBe(`${value.message.chat.id}:${value.message.message_id}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a private text message from a person is always taken', () => {
    fc.assert(
      fc.property(nat, int, int, codeUnits().filter((s) => s.trim() !== ''), (updateId, chatId, messageId, body) => {
        const input = parseUpdate(textUpdate({ updateId, chatId: Math.abs(chatId) || 1, fromId: 5, messageId, text: body, chatType: 'private' }), bot);
        expect(input).not.toBeNull();
        expect(acceptedByCore(input)).toBe(true);
      }),
    );
  });

  const fieldsWeRead: Array<[string, (m: Record<string, unknown>) => void]> = [
    ['message.date', (m) => (m.date = '2026-01-01')],
    ['message.date', (m) => (m.date = -5)],
    ['message.text', (m) => (m.text = 12345)],
    ['message.message_id', (m) => (m.message_id = 1.5)],
    ['message.chat.id', (m) => (m.chat = { id: '1', type: 'private' })],
    ['message.chat', (m) => delete m.chat],
    ['message.from.id', (m) => (m.from = { id: null, is_bot: false, first_name: 'x' })],
    ['message.caption', (m) => (m.caption = { text: 'hi' })],
    ['message.entities.0.offset', (m) => (m.entities = [{ type: 'bot_command', offset: 'zero', length: 6 }])],
    ['message.entities.0', (m) => (m.entities = [{ type: 'text_mention', offset: 0, length: 3 }])],
    ['message.photo.0.file_id', (m) => (m.photo = [{ file_id: '', width: 1, height: 1 }])],
    ['message.document.file_size', (m) => (m.document = { file_id: 'D', file_size: -1 })],
    ['message.reply_to_message.message_id', (m) => (m.reply_to_message = { message_id: '7' })],
  ];

  it.each(fieldsWeRead)('rejects a wrong %s with a reason naming the field', (path, mutate) => {
    const value = textUpdate({ updateId: 77, chatId: 5, fromId: 5, messageId: 9, text: '/start' }) as unknown as { message: Record<string, unknown> };
    mutate(value.message);
    const checked = checkUpdate(value);
    expect(checked).toMatchObject({ ok: false, updateId: 77 });
    expect(!checked.ok && checked.reason.startsWith(`invalid:${path}:`)).toBe(true);
    expect(parseUpdate(value, bot)).toBeNull();
  });

  it('rejects a bad update_id and a bad callback query, keeping the id when there is one', () => {
    expect(checkUpdate({ update_id: '1', message: {} })).toMatchObject({ ok: false, reason: 'invalid:update_id:invalid_type' });
    expect(checkUpdate({ update_id: 2 ** 60 })).toMatchObject({ ok: false });
    const press = callbackQueryUpdate({ updateId: 5, fromId: 1, chatId: 1, data: 'fb:up:x', messageId: 3 }) as unknown as { callback_query: Record<string, unknown> };
    press.callback_query.from = 'someone';
    expect(checkUpdate(press)).toMatchObject({ ok: false, updateId: 5, reason: 'invalid:callback_query.from:invalid_type' });
  });

  it('takes every real update shape of our fixtures, unknown fields included', () => {
    const updates: Update[] = [
      textUpdate({ updateId: 1, chatId: 5, fromId: 5, text: 'hi', replyTo: { messageId: 3, text: 'earlier', isBot: true } }),
      photoUpdate({ updateId: 2, chatId: 5, fromId: 5, caption: 'look' }),
      documentUpdate({ updateId: 3, chatId: 5, fromId: 5 }),
      voiceUpdate({ updateId: 4, chatId: 5, fromId: 5 }),
      stickerUpdate({ updateId: 5, chatId: 5, fromId: 5 }),
      groupMentionUpdate({ updateId: 6, chatId: -100123, fromId: 5 }),
      callbackQueryUpdate({ updateId: 7, fromId: 5, chatId: 5, data: 'fb:up:x', messageId: 3 }),
      { update_id: 8, edited_message: { anything: true } } as unknown as Update,
      { update_id: 9, message: { ...textUpdate({ updateId: 9, chatId: 5, fromId: 5, text: 'hi' }).message!, link_preview_options: { is_disabled: true } } } as Update,
    ];
    for (const u of updates) expect(checkUpdate(u)).toEqual({ ok: true, update: u });
  });
});

describe('nesting depth', () => {
  it('measures without recursion: a million levels neither overflow nor pass', () => {
    const depth = 1_000_000;
    const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;
    expect(jsonDepth(deep) > MAX_UPDATE_DEPTH).toBe(true);
    expect(checkUpdate(deep)).toMatchObject({ ok: false, reason: 'too_deep' });
    expect(parseUpdate(deep, bot)).toBeNull();
  });

  it('counts objects and arrays alike, and only them', () => {
    expect(jsonDepth({ a: [{ b: 1 }] }) > 3).toBe(false);
    expect(jsonDepth({ a: [{ b: [] }] }) > 3).toBe(true);
    expect(jsonDepth('text') > 0).toBe(false);
    expect(jsonDepth(null) > 0).toBe(false);
  });
});
