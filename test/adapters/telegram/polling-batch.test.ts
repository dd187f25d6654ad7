/**
 * The pure parts of the inbound path: which offset a getUpdates batch may confirm, per-chat
 * ordering, and the constant-time secret check.
 */
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { createInOrder } from '../../../src/adapters/telegram/in-order.ts';
import { chatKeyOf, handleBatch, sleepUnlessAborted } from '../../../src/adapters/telegram/polling.ts';
import { secretMatches } from '../../../src/adapters/telegram/webhook.ts';
import { callbackQueryUpdate, textUpdate } from '../../fixtures/telegram/updates.ts';

const inChat = (updateId: number, chatId: number): Update => textUpdate({ updateId, chatId, fromId: chatId, text: `u${updateId}` });

/** A promise resolved from outside, to hold a task at a chosen point. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('handleBatch', () => {
  it('all handled: confirms past the last update', async () => {
    const seen: number[] = [];
    const outcome = await handleBatch([inChat(10, 1), inChat(11, 2), inChat(12, 1)], async (u) => void seen.push(u.update_id), new AbortController().signal);
    expect(outcome).toEqual({ nextOffset: 13 });
    expect(seen.sort()).toEqual([10, 11, 12]);
  });

  it('a failure stops its chat there; other chats go on; the offset stays at the failed update', async () => {
    const seen: number[] = [];
    const failure = new Error('not stored');
    const outcome = await handleBatch(
      [inChat(20, 1), inChat(21, 2), inChat(22, 1), inChat(23, 2)],
      async (u) => {
        if (u.update_id === 20) throw failure;
        seen.push(u.update_id);
      },
      new AbortController().signal,
    );
    expect(outcome).toEqual({ nextOffset: 20, failure: { updateId: 20, error: failure } });
    // Chat 1's later update must not overtake the failed one; chat 2 is not held up.
    expect(seen.sort()).toEqual([21, 23]);
  });

  it('after an abort, what is not handled yet is not confirmed', async () => {
    const abort = new AbortController();
    const outcome = await handleBatch(
      [inChat(30, 1), inChat(31, 1)],
      async () => {
        abort.abort();
      },
      abort.signal,
    );
    expect(outcome).toEqual({ nextOffset: 31 });
  });

  it('an empty batch confirms nothing new', async () => {
    expect(await handleBatch([], async () => undefined, new AbortController().signal)).toEqual({ nextOffset: undefined });
  });

  it('keys updates by chat (messages and button presses), and tolerates anything', () => {
    expect(chatKeyOf(inChat(1, -100))).toBe('-100');
    expect(chatKeyOf(callbackQueryUpdate({ updateId: 2, fromId: 7, chatId: 8, data: 'x', messageId: 1 }))).toBe('8');
    expect(chatKeyOf({ update_id: 3, callback_query: { from: { id: 7 } } })).toBe('7');
    expect(chatKeyOf(null)).toBeUndefined();
    expect(chatKeyOf({ message: { chat: null } })).toBeUndefined();
  });
});

describe('createInOrder', () => {
  it('runs one key’s tasks in order, other keys meanwhile, and survives a failing task', async () => {
    const inOrder = createInOrder();
    const events: string[] = [];
    const hold = deferred();
    const first = inOrder('a', async () => {
      events.push('a1 start');
      await hold.promise;
      events.push('a1 end');
      throw new Error('a1 failed');
    });
    const second = inOrder('a', async () => void events.push('a2'));
    const other = inOrder('b', async () => void events.push('b1'));
    await other;
    expect(events).toEqual(['a1 start', 'b1']);
    hold.resolve();
    await expect(first).rejects.toThrow('a1 failed');
    await second;
    expect(events).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });
});

describe('secretMatches', () => {
  it('matches only the exact secret, whatever the length of the guess', () => {
    expect(secretMatches('webhook_Secret-123', 'webhook_Secret-123')).toBe(true);
    expect(secretMatches('webhook_Secret-12', 'webhook_Secret-123')).toBe(false);
    expect(secretMatches('webhook_Secret-1234', 'webhook_Secret-123')).toBe(false);
    expect(secretMatches('', 'webhook_Secret-123')).toBe(false);
    expect(secretMatches(undefined, 'webhook_Secret-123')).toBe(false);
    expect(secretMatches(['webhook_Secret-123', 'x'], 'webhook_Secret-123')).toBe(false);
  });
});

describe('sleepUnlessAborted', () => {
  it('returns as soon as the signal aborts, also when it already has', async () => {
    const abort = new AbortController();
    const sleeping = sleepUnlessAborted(10 * 60_000, abort.signal);
    abort.abort();
    await sleeping;
    await sleepUnlessAborted(10 * 60_000, abort.signal);
  });
});
