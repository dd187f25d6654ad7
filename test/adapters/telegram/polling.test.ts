import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { OverloadedError } from '../../../src/errors.ts';
import type { CoreApi } from '../../../src/core/ports.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram-bot-api.ts';
import { groupMentionUpdate, photoUpdate, textUpdate } from '../../fixtures/telegram/updates.ts';
import { startHarness, type Harness } from './harness.ts';

const CUSTOMER = 6666666;
let h: Harness | undefined;
let ownFake: FakeTelegram | undefined;

afterEach(async () => {
  try {
    if (h) expect(h.logs.join('')).not.toContain(h.fake.token);
  } finally {
    await h?.close();
    await ownFake?.close();
    h = undefined;
    ownFake = undefined;
  }
});

const question = (updateId: number) =>
  textUpdate({ updateId, chatId: CUSTOMER, fromId: CUSTOMER, messageId: updateId, text: 'How do I reset my password?' });
const storedCustomerMessages = () => h!.desk.database.db.prisma.message.count({ where: { author: 'customer' } });
const delivered = (call: { result?: unknown }, updateId: number) => (call.result as Update[] | undefined)?.some((u) => u.update_id === updateId) ?? false;

/** The real core, whose handleInbound fails `times` times with `error` first. */
function failingFirst(times: number, error: () => Error) {
  return (core: CoreApi): CoreApi => ({
    ...core,
    handleInbound(input) {
      if (times-- > 0) return Promise.reject(error());
      return core.handleInbound(input);
    },
  });
}

/** An injected sleep: records each wait and returns at once (no real-time waiting in tests). */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('Telegram long polling (our getUpdates loop)', () => {
  it('without a webhook secret: clears any webhook, polls, answers, and stops cleanly', async () => {
    h = await startHarness({ channel: { pollTimeoutSeconds: 1 } });
    expect(h.channel.mode).toBe('polling');
    expect(h.fake.callsOf('deleteWebhook')).toHaveLength(1);
    expect(h.fake.callsOf('setWebhook')).toHaveLength(0);
    const poll = await h.fake.waitFor((c) => c.method === 'getUpdates');
    expect(poll.payload.allowed_updates).toEqual(['message', 'callback_query']);
    // No webhook route in polling mode.
    expect((await fetch(h.webhookUrl, { method: 'POST', body: '{}' })).status).toBe(404);

    h.fake.pushUpdate(textUpdate({ updateId: 500, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 1, text: 'How do I reset my password?' }));
    const [reply] = await h.settle(() => (h!.sentTo(CUSTOMER).length > 0 ? h!.sentTo(CUSTOMER) : null), 'answer over long polling');
    expect(reply!.text).toContain('Reset your password');

    await h.stopChannel();
    const polls = h.fake.callsOf('getUpdates').length;
    // After stop nothing polls any more: an update pushed now stays queued for the next start.
    h.fake.pushUpdate(textUpdate({ updateId: 501, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 2, text: 'Can I get a refund?' }));
    await h.desk.drain();
    expect(h.fake.callsOf('getUpdates')).toHaveLength(polls);
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(1);
    expect(h.logs.join('')).not.toContain(h.fake.token);
  });

  it('the same update delivered twice, a group chatter and a photo: one reply each where due', async () => {
    h = await startHarness({ channel: { pollTimeoutSeconds: 1 } });
    const question = textUpdate({ updateId: 600, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 10, text: 'Can I get a refund?' });
    h.fake.pushUpdate(question);
    h.fake.pushUpdate(question);
    h.fake.pushUpdate(textUpdate({ updateId: 601, chatId: -1005550001, fromId: 77, messageId: 11, text: 'Can I get a refund?' }));
    h.fake.pushUpdate(photoUpdate({ updateId: 602, chatId: 7777777, fromId: 7777777, messageId: 12, fileId: 'PHOTO-X', caption: 'this screen is blank' }));
    h.fake.pushUpdate(groupMentionUpdate({ updateId: 603, chatId: -1005550001, fromId: 77, messageId: 13, text: 'How do I reset my password?' }));

    const prisma = h.desk.database.db.prisma;
    await h.settle(async () => (await prisma.message.count({ where: { author: 'customer' } })) >= 3, 'three stored messages');
    await h.settle(() => h!.sentTo(-1005550001).length > 0 && h!.sentTo(CUSTOMER).length > 0, 'replies');
    await h.desk.drain();

    const customers = await prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' } });
    expect(customers.map((m) => m.platformMessageId).sort()).toEqual(['-1005550001:13', `${CUSTOMER}:10`, '7777777:12']);
    expect(h.sentTo(CUSTOMER)).toHaveLength(1);
    expect(h.sentTo(-1005550001)).toHaveLength(1);
    expect(h.sentTo(-1005550001)[0]!.text).toContain('Reset your password');
    const photo = customers.find((m) => m.platformMessageId === '7777777:12')!;
    expect(photo.text).toBe('this screen is blank');
    expect(photo.attachments).toEqual([{ kind: 'photo', fileRef: 'PHOTO-X', size: 65432 }]);
  });
});

describe('Telegram long polling confirms only what is stored', () => {
  it('when storing fails, the offset is not advanced: the update comes again and is stored on the next round', async () => {
    const { waits, sleep } = recordingSleep();
    h = await startHarness({
      channel: { pollTimeoutSeconds: 1, pollingSleep: sleep },
      wrapCore: failingFirst(1, () => new Error('database hiccup')),
    });
    h.fake.pushUpdate(question(700));
    await h.settle(async () => (await storedCustomerMessages()) === 1 && h!.sentTo(CUSTOMER).length > 0, 'stored and answered');
    await h.fake.waitFor((c) => c.method === 'getUpdates' && c.payload.offset === 701);

    const polls = h.fake.callsOf('getUpdates');
    const deliveries = polls.filter((c) => delivered(c, 700));
    expect(deliveries).toHaveLength(2);
    // The poll right after the failure did not confirm update 700 (its offset is not past it) …
    expect(polls.indexOf(deliveries[1]!)).toBe(polls.indexOf(deliveries[0]!) + 1);
    expect(deliveries[1]!.payload.offset ?? 0).toBeLessThanOrEqual(700);
    // … and the one after the success did.
    expect(polls[polls.indexOf(deliveries[1]!) + 1]!.payload.offset).toBe(701);
    expect(waits).toEqual([1000]);
    expect(h.sentTo(CUSTOMER)).toHaveLength(1);
    expect(h.logs.join('')).toContain('database hiccup');
  });

  it('an overloaded core: waits as long as it asks, then stores the update', async () => {
    const { waits, sleep } = recordingSleep();
    h = await startHarness({
      channel: { pollTimeoutSeconds: 1, pollingSleep: sleep },
      wrapCore: failingFirst(2, () => new OverloadedError('inbox full', 4_000)),
    });
    h.fake.pushUpdate(question(710));
    await h.settle(async () => (await storedCustomerMessages()) === 1, 'stored');
    expect(waits).toEqual([4000, 4000]);
  });

  it('one chat failing holds the offset for the batch: another chat’s update is fetched again and dropped as a duplicate', async () => {
    const { sleep } = recordingSleep();
    let failed = false;
    h = await startHarness({
      channel: { pollTimeoutSeconds: 1, pollingSleep: sleep },
      wrapCore: (core) => ({
        ...core,
        handleInbound(input) {
          if (input.externalChatId === String(CUSTOMER) && !failed) {
            failed = true;
            return Promise.reject(new Error('database hiccup'));
          }
          return core.handleInbound(input);
        },
      }),
    });
    const other = 6666667;
    h.fake.pushUpdate(question(720));
    h.fake.pushUpdate(textUpdate({ updateId: 721, chatId: other, fromId: other, messageId: 1, text: 'How do I reset my password?' }));
    await h.settle(async () => (await storedCustomerMessages()) === 2 && h!.sentTo(CUSTOMER).length > 0 && h!.sentTo(other).length > 0, 'both answered');
    await h.fake.waitFor((c) => c.method === 'getUpdates' && c.payload.offset === 722);
    await h.desk.drain();
    expect(h.fake.callsOf('getUpdates').filter((c) => delivered(c, 721)).length).toBeGreaterThanOrEqual(2);
    expect(h.sentTo(CUSTOMER)).toHaveLength(1);
    expect(h.sentTo(other)).toHaveLength(1);
  });

  it('getUpdates failures (network reset, Telegram 502) are logged without the token and polling goes on', async () => {
    const { waits, sleep } = recordingSleep();
    h = await startHarness({ channel: { pollTimeoutSeconds: 1, pollingSleep: sleep } });
    // The next two polls fail: first the connection is cut, then Telegram answers 502.
    h.fake.injectFault('getUpdates', { network: 'reset' });
    h.fake.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' });
    await h.fake.waitFor((c) => c.method === 'getUpdates' && c.failed?.error_code === 502);
    h.fake.pushUpdate(question(730));
    await h.settle(async () => (await storedCustomerMessages()) === 1, 'stored after the failures');
    // Two failures in a row: the second wait is longer.
    expect(waits).toEqual([1000, 2000]);
    const logs = h.logs.join('');
    expect(logs).toContain('telegram getUpdates failed');
    expect(logs).toContain('/bot<token>/getUpdates');
    expect(logs).toContain('502 Bad Gateway');
  });

  it('stop() aborts a pending long poll at once', async () => {
    ownFake = await startFakeTelegram({ maxLongPollMs: 10 * 60_000 });
    h = await startHarness({ fake: ownFake, channel: { pollTimeoutSeconds: 600 } });
    await ownFake.waitFor((c) => c.method === 'getUpdates');
    // The fake would hold this poll for 10 minutes: stop() returning at all proves the abort.
    await h.channel.stop();
    const polls = ownFake.callsOf('getUpdates').length;
    ownFake.pushUpdate(question(741));
    await h.desk.drain();
    expect(ownFake.callsOf('getUpdates')).toHaveLength(polls);
    expect(await storedCustomerMessages()).toBe(0);
  });

  it('stop() waits for the update in flight, then confirms it to Telegram', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h = await startHarness({
      channel: { pollTimeoutSeconds: 1 },
      wrapCore: (core) => ({
        ...core,
        async handleInbound(input) {
          entered();
          await gate;
          return core.handleInbound(input);
        },
      }),
    });
    h.fake.pushUpdate(question(750));
    await inHandler;
    let stopped = false;
    const stopping = h.channel.stop().then(() => (stopped = true));
    await h.desk.drain();
    expect(stopped).toBe(false);
    release();
    await stopping;
    await h.desk.drain();
    expect(await storedCustomerMessages()).toBe(1);
    expect(h.fake.callsOf('getUpdates').at(-1)!.payload).toMatchObject({ offset: 751, limit: 1, timeout: 0 });
  });
});
