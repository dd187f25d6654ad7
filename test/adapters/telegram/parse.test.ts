import type { Message, UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { isAddressedToBot, leadingCommand, parseMessage, parseUpdate } from '../../../src/adapters/telegram/parse.ts';
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

/** Parses and validates with the core's own schema, as the core will. */
function parsed(update: ReturnType<typeof textUpdate>) {
  const input = parseUpdate(update, bot);
  expect(input).not.toBeNull();
  return InboundMessageSchema.parse(input);
}

describe('parseUpdate', () => {
  it('turns a private text message into the core input with stable ids', () => {
    const update = textUpdate({ updateId: 1, chatId: 1111111, fromId: 1111111, messageId: 42, text: 'How do refunds work?', firstName: 'Ada', username: 'ada' });
    const input = parsed(update);
    expect(input).toMatchObject({
      channel: 'telegram',
      externalUserId: '1111111',
      externalChatId: '1111111',
      platformMessageId: '1111111:42',
      text: 'How do refunds work?',
      attachments: [],
      sender: { displayName: 'Ada', username: 'ada', language: 'en' },
    });
    expect(input.sentAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(input.raw).toEqual(update);
    // The same update again gives the same id: the core drops the second one.
    expect(parsed(update).platformMessageId).toBe(input.platformMessageId);
  });

  it('keeps the largest photo size and the caption as text', () => {
    const input = parsed(photoUpdate({ updateId: 2, chatId: 5, fromId: 5, caption: 'This error appears', fileId: 'PHOTO-BIG' }));
    expect(input.text).toBe('This error appears');
    expect(input.attachments).toEqual([{ kind: 'photo', fileRef: 'PHOTO-BIG', size: 65432 }]);
  });

  it('takes a photo without caption as an attachment with empty text', () => {
    const input = parsed(photoUpdate({ updateId: 3, chatId: 5, fromId: 5 }));
    expect(input.text).toBe('');
    expect(input.attachments[0]?.kind).toBe('photo');
  });

  it('keeps a document with its name, type and size', () => {
    const input = parsed(documentUpdate({ updateId: 4, chatId: 5, fromId: 5, fileId: 'DOC-1', fileName: 'invoice.pdf', caption: 'wrong amount' }));
    expect(input.text).toBe('wrong amount');
    expect(input.attachments).toEqual([
      { kind: 'document', fileRef: 'DOC-1', name: 'invoice.pdf', size: 48213, mimeType: 'application/pdf' },
    ]);
  });

  it('keeps a voice message', () => {
    const input = parsed(voiceUpdate({ updateId: 5, chatId: 5, fromId: 5, fileId: 'VOICE-1' }));
    expect(input.attachments).toEqual([{ kind: 'voice', fileRef: 'VOICE-1', size: 8123, mimeType: 'audio/ogg' }]);
  });

  it('uses a sticker’s emoji as the text', () => {
    const input = parsed(stickerUpdate({ updateId: 6, chatId: 5, fromId: 5, fileId: 'STICKER-1', emoji: '😡' }));
    expect(input.text).toBe('😡');
    expect(input.attachments).toEqual([{ kind: 'sticker', fileRef: 'STICKER-1', name: '😡', size: 23456 }]);
  });

  it('records which message a customer replied to', () => {
    const input = parsed(textUpdate({ updateId: 7, chatId: 5, fromId: 5, messageId: 9, text: 'still broken', replyTo: { messageId: 8, isBot: true } }));
    expect(input.replyToPlatformMessageId).toBe('5:8');
  });

  it('ignores a group message that neither mentions nor replies to the bot', () => {
    expect(parseUpdate(textUpdate({ updateId: 8, chatId: -1001234, fromId: 7, text: 'anyone around?' }), bot)).toBeNull();
    expect(parseUpdate(textUpdate({ updateId: 9, chatId: -1001234, fromId: 7, text: 'ask @other_bot', entities: [{ type: 'mention', offset: 4, length: 10 }] }), bot)).toBeNull();
  });

  it('takes a group message that mentions the bot, without the mention, in the group chat', () => {
    const input = parsed(groupMentionUpdate({ updateId: 10, chatId: -1001234, fromId: 7, text: 'how do refunds work?' }));
    expect(input.text).toBe('how do refunds work?');
    expect(input.externalChatId).toBe('-1001234');
    expect(input.externalUserId).toBe('7');
    expect(input.platformMessageId).toBe('-1001234:1365');
  });

  it('takes a group message that replies to the bot', () => {
    const update = textUpdate({ updateId: 11, chatId: -1001234, fromId: 7, text: 'that did not help', replyTo: { messageId: 99, isBot: true, fromId: bot.id } });
    expect(parsed(update).text).toBe('that did not help');
  });

  it('ignores messages from bots and updates without a message', () => {
    const update = textUpdate({ updateId: 12, chatId: 5, fromId: 5, text: 'hi' });
    (update.message as Message).from!.is_bot = true;
    expect(parseUpdate(update, bot)).toBeNull();
    expect(parseUpdate(callbackQueryUpdate({ updateId: 13, fromId: 5, chatId: 5, data: 'fb:up:x', messageId: 3 }), bot)).toBeNull();
  });
});

describe('commands and addressing', () => {
  it('reads a leading command, with or without this bot’s @suffix', () => {
    const plain = textUpdate({ updateId: 20, chatId: 5, fromId: 5, text: '/human my card was charged twice' }).message!;
    expect(leadingCommand(plain, bot)).toEqual({ command: 'human', args: 'my card was charged twice' });
    const suffixed = textUpdate({ updateId: 21, chatId: -100, fromId: 5, text: '/help@solodesk_test_bot' }).message!;
    expect(leadingCommand(suffixed, bot)).toEqual({ command: 'help', args: '' });
    expect(isAddressedToBot(suffixed, bot)).toBe(true);
    const other = textUpdate({ updateId: 22, chatId: -100, fromId: 5, text: '/help@other_bot' }).message!;
    expect(leadingCommand(other, bot)).toBeNull();
    expect(isAddressedToBot(other, bot)).toBe(false);
    expect(leadingCommand(textUpdate({ updateId: 23, chatId: 5, fromId: 5, text: 'no command' }).message!, bot)).toBeNull();
  });

  it('overrides the text when asked (the /human request)', () => {
    const message = textUpdate({ updateId: 24, chatId: 5, fromId: 5, text: '/human' }).message!;
    expect(parseMessage(message, bot, { text: '/human' })?.text).toBe('/human');
  });
});
