import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FOUNDER_CHANNEL, type ChannelEvent } from '../../../src/core/ports.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// core.reportChannelEvent: a channel's session (WeChat's login QR code …) told to the founder
// console through the outbox, like every notice, and never to a customer's channel.

let desk: TestDesk;
let founder: RecordingSender;
let customers: RecordingSender[];

beforeEach(async () => {
  founder = new RecordingSender(FOUNDER_CHANNEL);
  customers = ['wechat', 'telegram', 'slack'].map((channel) => new RecordingSender(channel));
  desk = await createTestDesk({ senders: [founder, ...customers] });
});
afterEach(async () => {
  await desk.dispose();
});

const QR: ChannelEvent = { channel: 'wechat', event: 'login_qr', detail: 'Scan with the desk phone', url: 'https://login.weixin.qq.com/l/qr-1' };

describe('core.reportChannelEvent', () => {
  it('reaches the founder console as a channel_event notice, and no customer channel', async () => {
    await desk.core.reportChannelEvent(QR);
    await desk.drain();
    expect(founder.notices()).toEqual([{ type: 'channel_event', event: QR }]);
    for (const sender of customers) expect(sender.attempts).toEqual([]);
    // Not about a conversation: no conversation and no message was made for it.
    const prisma = desk.database.db.prisma;
    expect(await prisma.conversation.count()).toBe(0);
    expect(await prisma.message.count()).toBe(0);
  });

  it('is one outbox row, queued with the channel’s other events, and wakes the dispatcher', async () => {
    const wake = vi.spyOn(desk.core.dispatcher, 'wake');
    await desk.core.reportChannelEvent(QR);
    expect(wake).toHaveBeenCalledTimes(1);
    const rows = await desk.database.db.prisma.outbox.findMany();
    expect(rows).toMatchObject([{ channel: FOUNDER_CHANNEL, chatKey: `${FOUNDER_CHANNEL}:channel:wechat`, messageId: null, status: 'pending' }]);
  });

  it('each new QR code is a new notice, in the order they came', async () => {
    const second = { ...QR, url: 'https://login.weixin.qq.com/l/qr-2' };
    await desk.core.reportChannelEvent(QR);
    await desk.core.reportChannelEvent(second);
    await desk.core.reportChannelEvent({ channel: 'wechat', event: 'logged_in', detail: 'Solodesk Support' });
    await desk.drain();
    expect(founder.notices().map((n) => (n.type === 'channel_event' ? n.event.url ?? n.event.event : n.type)))
      .toEqual(['https://login.weixin.qq.com/l/qr-1', 'https://login.weixin.qq.com/l/qr-2', 'logged_in']);
  });

  it('stores only the event’s own fields (a raw session object spread into it stays out)', async () => {
    const leaky = { ...QR, token: 'puppet-token-123', cookies: ['wxsid=secret'] } as ChannelEvent;
    await desk.core.reportChannelEvent(leaky);
    const [row] = await desk.database.db.prisma.outbox.findMany();
    expect(JSON.stringify(row!.payload)).not.toMatch(/puppet-token|wxsid/);
    expect(row!.payload).toEqual({ type: 'channel_event', event: QR });
  });
});
