import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../../src/adapters/slack/blocks.ts';
import { blockActionsBody, eventCallbackBody, postSigned, signSlackRequest } from '../../fakes/slack-signing.ts';
import { messageChangedEvent } from '../../fixtures/slack/events.ts';
import { escalateDm, FOUNDER, FOUNDER_CHANNEL, nextTs, postedTo, SECRET, startSlackHarness, type SlackHarness } from './harness.ts';

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

/** A DM customer question that the (empty) KB cannot answer: escalated into a thread. */
const escalate = (text?: string) => escalateDm(h, text);

/** What the founder sent (or tried to send): notes are not in it, see `notesOf`. */
const founderMessages = (conversationId: string) =>
  h.desk.database.db.prisma.message.findMany({ where: { conversationId, author: 'founder', kind: { not: 'note' } }, orderBy: { createdAt: 'asc' } });

const notesOf = (conversationId: string) =>
  h.desk.database.db.prisma.message.findMany({ where: { conversationId, kind: 'note' }, include: { outbox: true } });

describe('escalation into a founder thread', () => {
  it('a customer question posts one root message (Block Kit) and attaches the thread; later messages go in it', async () => {
    const { rootTs, conversationId } = await escalate();
    expect(h.roots()).toHaveLength(1);
    expect(h.channel.senders.map((s) => [s.channel, s.limits])).toEqual([['slack', { perChatIntervalMs: 1000 }], ['founder', { perChatIntervalMs: 1000 }]]);
    const root = h.roots()[0]!;
    const json = JSON.stringify(root.blocks);
    expect(json).toContain('My invoice shows VAT twice, can you fix it?');
    expect(json).toContain('ucustomer · Slack');
    expect(json).not.toContain('_customer_: My invoice');
    expect(json).toContain('waiting for you');
    expect(json).toContain(ACTION.resolve);
    expect(await h.desk.core.founder.threadOf(conversationId)).toEqual({ channelId: FOUNDER_CHANNEL, threadTs: rootTs });
    // The customer was told a person will answer, in their DM.
    expect(postedTo(h.fake, 'D1')).toHaveLength(1);

    await h.customerDm('Also, the address on it is wrong.');
    await h.drain();
    expect(h.roots()).toHaveLength(1);
    expect(h.inThread(rootTs).map((m) => m.text)).toEqual([expect.stringContaining('the address on it is wrong')]);
  });
});

describe('relay of founder thread replies', () => {
  it('a founder reply reaches the customer; the thread shows it was delivered and the root says answered', async () => {
    const { rootTs, conversationId } = await escalate();
    const before = postedTo(h.fake, 'D1').length;
    const { status } = await h.founderReply(rootTs, 'Fixed — a new invoice is on its way. See <https://example.com/inv|your invoices> &amp; thanks!');
    expect(status).toBe(200);
    await h.drain();
    const toCustomer = postedTo(h.fake, 'D1').slice(before);
    expect(toCustomer.map((m) => m.text)).toEqual(['Fixed — a new invoice is on its way. See your invoices (https://example.com/inv) &amp; thanks!']);
    expect(h.inThread(rootTs).map((m) => m.text)).toContain('✓ founder reply delivered');
    const update = h.fake.callsOf('chat.update').at(-1);
    expect(update?.payload).toMatchObject({ channel: FOUNDER_CHANNEL, ts: rootTs });
    expect(JSON.stringify(update?.payload.blocks)).toContain('answered by <@UFOUNDER>');
    expect(await founderMessages(conversationId)).toHaveLength(1);
  });

  it.each(['note: check the VAT settings first', 'Note : internal', 'NOTE: do not send', ';; just for me', '*note*: bold note'])(
    '"%s" is a private note: never sent',
    async (text) => {
      const { rootTs, conversationId } = await escalate();
      const before = postedTo(h.fake, 'D1').length;
      const { status, ts } = await h.founderReply(rootTs, text);
      expect(status).toBe(200);
      await h.drain();
      expect(postedTo(h.fake, 'D1').slice(before)).toEqual([]);
      expect(await founderMessages(conversationId)).toEqual([]);
      // Kept in the conversation as a note, under the founder's name, with nothing to deliver.
      expect(await notesOf(conversationId)).toMatchObject([
        { author: 'founder', authorRef: `slack:${FOUNDER}`, direction: 'outbound', deliveryState: 'not_applicable', platformMessageId: `slack:${FOUNDER_CHANNEL}:${ts}`, outbox: [] },
      ]);
      await h.fake.waitFor((c) => c.method === 'reactions.add' && c.payload.timestamp === ts && c.payload.name === 'memo');
    },
  );

  it('a retried event is ignored, and so is the same message under another event id', async () => {
    const { rootTs, conversationId } = await escalate();
    const before = postedTo(h.fake, 'D1').length;
    const first = await h.founderReply(rootTs, 'Only once, please.');
    // Slack's redelivery: same body (same event_id), with X-Slack-Retry-Num.
    const retry = await h.post(first.body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, retry.status]).toEqual([200, 200]);
    // The same message as if redelivered to a fresh process (another event id, same ts).
    await h.founderReply(rootTs, 'Only once, please.', { ts: first.ts });
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before).map((m) => m.text)).toEqual(['Only once, please.']);
    expect(await founderMessages(conversationId)).toHaveLength(1);
  });

  it('a retried customer event stores the message once', async () => {
    const dm = await h.customerDm('Where is my order?');
    const body = eventCallbackBody({ eventId: dm.eventId, event: { type: 'message', user: 'UCUSTOMER', text: 'Where is my order?', ts: dm.ts, channel: 'D1', channel_type: 'im', event_ts: dm.ts } });
    expect((await h.post(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await h.customerDm('Where is my order?', { ts: dm.ts });
    await h.drain();
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(1);
  });

  it('edits, other users and unknown commands are not relayed; !resolve resolves and updates the root', async () => {
    const { rootTs, conversationId } = await escalate();
    const before = postedTo(h.fake, 'D1').length;
    const edit = messageChangedEvent({ ts: nextTs(), newText: 'edited reply', oldText: 'reply', channel: FOUNDER_CHANNEL, threadTs: rootTs });
    expect((await h.post(eventCallbackBody({ eventId: 'EvEdit1', event: edit }))).status).toBe(200);
    await h.founderReply(rootTs, 'I am not a founder', { user: 'UINTRUDER' });
    await h.founderReply(rootTs, '!frobnicate now');
    await h.fake.waitFor((c) => c.method === 'chat.postEphemeral' && String(c.payload.text).includes('Unknown command'));
    await h.founderReply(rootTs, '!resolve');
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before)).toEqual([]);
    expect(await founderMessages(conversationId)).toEqual([]);
    const conversation = await h.desk.database.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.status).toBe('resolved');
    expect(JSON.stringify(h.fake.callsOf('chat.update').at(-1)?.payload.blocks)).toContain('resolved by <@UFOUNDER>');
  });

  it('the Resolve button works for founders only', async () => {
    const { rootTs, conversationId } = await escalate();
    const press = (userId: string) => h.post(blockActionsBody({ actionId: ACTION.resolve, value: conversationId, userId, channelId: FOUNDER_CHANNEL, messageTs: rootTs }));
    expect((await press('UINTRUDER')).status).toBe(200);
    const status = async () => (await h.desk.database.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status;
    expect(await status()).toBe('escalated');
    expect((await press(FOUNDER)).status).toBe(200);
    expect(await status()).toBe('resolved');
  });
});

describe('channel events', () => {
  it('a WeChat login QR code is a root message of the founder channel with the link, outside every conversation thread', async () => {
    const { rootTs } = await escalate();
    const inConversation = h.inThread(rootTs).length;
    const toCustomer = postedTo(h.fake, 'D1').length;
    const url = 'https://login.weixin.qq.com/l/QR-abc?x=1&y=2';
    await h.desk.core.reportChannelEvent({ channel: 'wechat', event: 'login_qr', detail: 'Scan with the desk phone <!channel>', url });
    await h.drain();

    const event = h.roots().at(-1)!;
    expect(h.roots()).toHaveLength(2);
    expect(event.thread_ts).toBeUndefined();
    expect(event.text).toBe('WeChat needs a new login: scan the QR code');
    const json = JSON.stringify(event.blocks);
    expect(json).toContain('<https://login.weixin.qq.com/l/QR-abc?x=1&amp;y=2|Open the QR code>');
    // The adapter's words cannot ping the channel.
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toContain(ACTION.resolve);
    expect(h.inThread(rootTs)).toHaveLength(inConversation);
    expect(postedTo(h.fake, 'D1')).toHaveLength(toCustomer);
    expect(await h.desk.core.founder.conversationForThread({ channelId: FOUNDER_CHANNEL, threadTs: event.ts })).toBeNull();

    // A founder answering in its thread reaches no customer: the thread is not a conversation's.
    await h.founderReply(event.ts, 'Scanned, thanks.');
    await h.fake.waitFor((c) => c.method === 'chat.postEphemeral' && String(c.payload.text).includes('not linked to a customer conversation'));
    await h.drain();
    expect(postedTo(h.fake, 'D1')).toHaveLength(toCustomer);
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'founder' } })).toBe(0);
  });
});

describe('request authenticity', () => {
  it.each([
    ['forged signature', { headers: { 'x-slack-signature': `v0=${'0'.repeat(64)}` } }],
    ['another secret', { signingSecret: 'not-the-secret' }],
    ['stale timestamp (6 minutes old)', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('%s → 401 and nothing stored or sent', async (_name, o: { headers?: Record<string, string>; signingSecret?: string; timestamp?: number }) => {
    const body = eventCallbackBody({ eventId: 'EvForged1', event: { type: 'message', user: 'UCUSTOMER', text: 'hello', ts: nextTs(), channel: 'D1', channel_type: 'im' } });
    const res = await postSigned(h.url, body, { signingSecret: o.signingSecret ?? SECRET, ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}), ...(o.headers ? { headers: o.headers } : {}) });
    expect(res.status).toBe(401);
    await h.drain();
    expect(await h.desk.database.db.prisma.message.count()).toBe(0);
    expect(await h.desk.database.db.prisma.outbox.count()).toBe(0);
    expect(h.fake.calls).toEqual([]);
  });

  it('the same body correctly signed is accepted (the 401s above are about the signature)', async () => {
    const body = eventCallbackBody({ eventId: 'EvGood1', event: { type: 'message', user: 'UCUSTOMER', text: 'hello', ts: nextTs(), channel: 'D1', channel_type: 'im' } });
    expect(signSlackRequest({ body, signingSecret: SECRET })['content-type']).toBe('application/json');
    expect((await postSigned(h.url, body, { signingSecret: SECRET })).status).toBe(200);
    await h.drain();
    expect(await h.desk.database.db.prisma.message.count({ where: { author: 'customer' } })).toBe(1);
  });
});
