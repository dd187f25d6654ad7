import { afterEach, describe, expect, it } from 'vitest';
import { phrases } from '../../../src/core/phrases.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { startFakeWecom } from '../../fakes/wecom-api.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk } from '../../support/test-desk.ts';
import { KF, startWecomHarness, type WecomHarness } from './harness.ts';

// The WeCom channel end to end: signed, encrypted callbacks into our real HTTP endpoint, messages
// fetched from the fake WeCom with kf/sync_msg, stored and decided by a real core, replies sent
// with kf/send_msg.

const WANG = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';
const LI = 'wmAJ2GCAAAli2XQRC-NI-q0_ZM9ukoBx';

let h: WecomHarness;
const extra: Array<() => Promise<void>> = [];

async function start(): Promise<WecomHarness> {
  h = await startWecomHarness();
  await importKbDirectory(h.desk.kb, 'examples/kb', 'test');
  await h.desk.kb.sync(true);
  return h;
}

afterEach(async () => {
  for (const close of extra.splice(0).reverse()) await close();
  await h?.close();
});

const customerMessages = () => h.desk.database.db.prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' } });

describe('wecom customer service', () => {
  it('answers a Chinese question from the Chinese KB article through kf/send_msg, to the kf account written to', async () => {
    await start();
    h.fake.customerText(KF, WANG, '怎么申请退款？');
    expect(await h.nudge()).toBe(200);
    const [reply] = await h.settle(() => (h.fake.delivered().length > 0 ? h.fake.delivered() : null), 'the answer');
    expect(reply).toMatchObject({ touser: WANG, open_kfid: KF });
    expect(reply!.content).toContain('退款');
    // Plain text: no Markdown marks from the article.
    expect(reply!.content).not.toMatch(/\*\*|^#/m);
    const stored = await customerMessages();
    expect(stored.map((m) => m.text)).toEqual(['怎么申请退款？']);
  });

  it('escalates what the KB does not cover, and relays the founder reply', async () => {
    await start();
    h.fake.customerText(KF, WANG, 'Do you have a public API for webhooks?');
    expect(await h.nudge()).toBe(200);
    const conversation = await h.settle(
      () => h.desk.database.db.prisma.conversation.findFirst({ where: { status: { not: 'open' } } }),
      'the escalated conversation',
    );
    const before = h.fake.delivered().length;
    await h.desk.core.founder.reply({ conversationId: conversation.id, text: '有的，在设置 → Webhooks。', founder: 'test' });
    const sent = await h.settle(() => h.fake.delivered().slice(before).find((s) => s.content.includes('Webhooks')), 'the founder reply');
    expect(sent).toMatchObject({ touser: WANG, open_kfid: KF });
    const founder = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'founder' } });
    expect(founder.deliveryState).toBe('sent');
  });

  it('a callback retried three times stores the message once and answers it once', async () => {
    await start();
    h.fake.customerText(KF, WANG, '怎么申请退款？');
    const statuses = [await h.nudge(), await h.nudge(), await h.nudge()];
    expect(statuses).toEqual([200, 200, 200]);
    await h.settle(() => h.fake.delivered().length > 0, 'the answer');
    await h.desk.drain();
    expect((await customerMessages()).map((m) => m.text)).toEqual(['怎么申请退款？']);
    expect(h.fake.delivered()).toHaveLength(1);
  });

  it('fetches only new messages on the next callback, and after a restart on the same database', async () => {
    const clock = new TestClock();
    const desk = await createTestDesk({ clock });
    const fake = await startFakeWecom();
    extra.push(() => desk.dispose(), () => fake.close());
    h = await startWecomHarness({ desk, fake, clock });
    fake.customerText(KF, WANG, 'first message');
    expect(await h.nudge()).toBe(200);
    const syncs = () => fake.calls.filter((c) => c.path === 'kf/sync_msg');
    expect(syncs().at(-1)!.body.cursor).toBe('');

    fake.customerText(KF, WANG, 'second message');
    expect(await h.nudge()).toBe(200);
    // The stored cursor: the second fetch starts after the first message.
    expect(syncs().at(-1)!.body.cursor).toBe('c1');
    expect(syncs().at(-1)!.body).toMatchObject({ limit: 1000, open_kfid: KF });

    // A new process: a new adapter on the same database reads the cursor from it. What was written
    // while none ran is fetched at its start, with no callback to nudge it.
    await h.close();
    fake.customerText(KF, LI, 'third message');
    h = await startWecomHarness({ desk, fake, clock });
    await h.settle(async () => (await customerMessages()).length === 3, 'the catch-up fetch at start');
    const cursors = syncs().map((c) => c.body.cursor);
    expect(cursors.at(-1)).not.toBe('');
    expect(cursors.at(-1)).not.toBe('c1');
    expect((await customerMessages()).map((m) => m.text).sort()).toEqual(['first message', 'second message', 'third message']);
    // Past the third message (a later fetch may also have read our own reply, which WeCom lists
    // as origin 5 and we skip), and each customer message stored once.
    const row = await desk.database.db.prisma.channelCursor.findUniqueOrThrow({ where: { name: `wecom:${KF}` } });
    expect(Number(/^c(\d+)$/.exec(row.cursor)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('pages through has_more and ignores system events and our own sends', async () => {
    const fake = await startFakeWecom({ pageSize: 2 });
    extra.push(() => fake.close());
    h = await startWecomHarness({ fake });
    for (let i = 0; i < 3; i++) h.fake.customerText(KF, WANG, `question ${i}`);
    h.fake.push({ open_kfid: KF, external_userid: WANG, origin: 5, msgtype: 'text', text: { content: 'a servicer wrote this' } });
    h.fake.push({ open_kfid: KF, external_userid: '', origin: 4, msgtype: 'event', event: { event_type: 'session_status_change' } });
    expect(await h.nudge()).toBe(200);
    await h.desk.drain();
    expect((await customerMessages()).map((m) => m.text)).toEqual(['question 0', 'question 1', 'question 2']);
    expect(fake.calls.filter((c) => c.path === 'kf/sync_msg').map((c) => c.body.cursor)).toEqual(['', 'c2', 'c4']);
  });

  it('refreshes an expired access token once and delivers', async () => {
    await start();
    h.fake.customerText(KF, WANG, '怎么申请退款？');
    expect(await h.nudge()).toBe(200);
    await h.settle(() => h.fake.delivered().length > 0, 'the first answer');
    const issued = h.fake.tokensIssued();
    h.fake.expireTokens();
    h.fake.customerText(KF, WANG, '怎么重置密码？');
    expect(await h.nudge()).toBe(200);
    await h.settle(() => h.fake.delivered().length > 1, 'the second answer');
    expect(h.fake.tokensIssued()).toBe(issued + 1);
    expect(h.fake.calls.filter((c) => c.errcode === 42001)).toHaveLength(1);
    // The token never shows in a log line.
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toMatch(/fake-access-token/);
  });

  it('a permanent errcode stops the delivery and the founder is told it was not delivered', async () => {
    await start();
    h.fake.customerText(KF, WANG, 'Do you have a public API for webhooks?');
    expect(await h.nudge()).toBe(200);
    const conversation = await h.settle(() => h.desk.database.db.prisma.conversation.findFirst({ where: { status: { not: 'open' } } }), 'escalation');
    await h.desk.drain();
    h.fake.failNext('kf/send_msg', 95018);
    await h.desk.core.founder.reply({ conversationId: conversation.id, text: 'This will not arrive.', founder: 'test' });
    const founder = await h.settle(
      () => h.desk.database.db.prisma.message.findFirst({ where: { author: 'founder', deliveryState: 'failed' } }),
      'the failed reply',
    );
    expect(founder.text).toBe('This will not arrive.');
    expect(h.fake.sends.filter((s) => s.content.includes('This will not arrive.')).map((s) => s.refused)).toEqual([95018]);
    const reports = await h.desk.database.db.prisma.outbox.findMany({ where: { channel: 'founder' } });
    const report = reports.map((r) => r.payload as { type: string; delivered?: boolean; error?: string }).find((p) => p.type === 'delivery_report');
    expect(report).toMatchObject({ delivered: false });
    expect(report!.error).toMatch(/48 hours/);
  });

  it('a forged signature is refused with 401, and nothing is fetched or stored', async () => {
    await start();
    h.fake.customerText(KF, WANG, '怎么申请退款？');
    expect(await h.nudge(KF, { signature: 'f'.repeat(40) })).toBe(401);
    expect(await h.nudge(KF, { signature: '' })).toBe(401);
    await h.desk.drain();
    expect(h.fake.calls.filter((c) => c.path === 'kf/sync_msg')).toEqual([]);
    expect(await customerMessages()).toEqual([]);
  });

  it('a signed callback that does not decrypt for our corp is refused with 400', async () => {
    await start();
    expect(await h.nudge(KF, { aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut' })).toBe(400);
    expect(h.fake.calls.filter((c) => c.path === 'kf/sync_msg')).toEqual([]);
  });

  it('greets a customer who enters the session, in Chinese, once', async () => {
    await start();
    h.fake.enterSession(KF, WANG);
    expect(await h.nudge()).toBe(200);
    expect(await h.nudge()).toBe(200);
    await h.settle(() => h.fake.delivered().length > 0, 'the greeting');
    await h.desk.drain();
    expect(h.fake.delivered().map((s) => [s.touser, s.content])).toEqual([[WANG, phrases('zh').greeting]]);
  });

  it('answers URL verification with the decrypted echostr, and 401 when forged', async () => {
    await start();
    const ok = await h.verify('1616140317555161061');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1616140317555161061');
    expect((await h.verify('1616140317555161061', { signature: 'nope' })).status).toBe(401);
  });
});
