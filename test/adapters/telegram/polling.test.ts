import { afterEach, describe, expect, it } from 'vitest';
import { groupMentionUpdate, photoUpdate, textUpdate } from '../../fixtures/telegram/updates.ts';
import { startHarness, type Harness } from './harness.ts';

const CUSTOMER = 6666666;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Telegram long polling (@grammyjs/runner)', () => {
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
