import { afterEach, describe, expect, it } from 'vitest';
import { log as wechatyLog, types } from 'wechaty';
import { DEFAULT_RESTART_BACKOFF } from '../../../src/adapters/wechat/session.ts';
import { LOGGED_OUT_RETRY_MS } from '../../../src/adapters/wechat/send.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { phrases } from '../../../src/core/phrases.ts';
import { HARNESS_PUBLIC_URL, startWechatHarness, type WechatHarness } from './harness.ts';

// The WeChat login as a session: the QR code and the login reach the founder, a logout restarts
// the session (after a backoff on the core's clock) and asks for a new scan, and replies written
// meanwhile wait in the outbox and go out once — not lost, not doubled — after the new login.
// Friend requests are accepted by the configured rule or left to the founder.

let h: WechatHarness;

afterEach(async () => {
  await h?.close();
});

/** Resolves on the bot's next `start` (a restart has brought Wechaty up again). */
function nextStart(harness: WechatHarness): Promise<void> {
  return new Promise((resolve) => harness.channel.bot.once('start', () => resolve()));
}

describe('wechat: the login session', () => {
  it('shows the QR code and the login to the founder', async () => {
    h = await startWechatHarness();
    expect(h.events.map((e) => e.event)).toEqual(['login_qr', 'logged_in']);
    const qr = h.events[0]!;
    expect(qr.channel).toBe('wechat');
    // A link to our own page: the login code goes to no third-party site, and into no log line.
    expect(qr.url).toMatch(new RegExp(`^${HARNESS_PUBLIC_URL}/wechat/login-qr\\?key=[A-Za-z0-9_-]{24}$`));
    expect(qr.url).not.toContain('login.weixin.qq.com');
    expect(h.logs.join('')).not.toContain('mock-qr');
  });

  it("turns Wechaty's own console logger off (its lines would bypass the redaction of secrets)", async () => {
    h = await startWechatHarness({ login: false });
    expect(wechatyLog.level()).toBe('silent');
  });

  it('serves the QR code on its page to whoever has the link, only until the login', async () => {
    h = await startWechatHarness({ login: false });
    const route = h.routes.find((r) => r.path === '/wechat/login-qr')!;
    const server = createServer((req, res) => void route.handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      h.mocker.scan('https://login.weixin.qq.com/l/mock-qr', types.ScanStatus.Waiting);
      const qr = await h.settle(() => h.events.find((e) => e.event === 'login_qr'), 'the QR code');
      const link = new URL(qr.url!);
      const page = await fetch(`${base}${link.pathname}${link.search}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(await page.text()).toMatch(/<svg[\s\S]*<\/svg>/);
      expect((await fetch(`${base}${link.pathname}?key=${'A'.repeat(24)}`)).status).toBe(404);
      expect((await fetch(`${base}${link.pathname}`)).status).toBe(404);

      await h.login();
      expect((await fetch(`${base}${link.pathname}${link.search}`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('after a logout, restarts for a new scan; replies queued meanwhile go out once after the login', async () => {
    h = await startWechatHarness();
    const li = h.contact('李雷');
    await h.say(li, '你们支持开具增值税专用发票吗？');
    const escalation = await h.settle(() => h.founder.notices().find((n) => n.type === 'escalation'), 'the escalation');
    await h.settle(() => h.saidTo(li).length === 1, 'the acknowledgement');

    await h.puppet.logout('kicked out by WeChat');
    await h.settle(() => h.events.some((e) => e.event === 'logged_out'), 'the logout reported');
    expect(h.events.find((e) => e.event === 'logged_out')!.detail).toMatch(/new QR scan/);

    // Written while logged out: left in the outbox, not even tried (the sender cannot send now),
    // so it is neither failed nor said.
    await h.desk.core.founder.reply({ conversationId: escalation.conversationId, text: '可以开具，请发来抬头。', founder: 'test' });
    h.clock.advance(1_000);
    await h.desk.drain();
    const row = await h.desk.database.db.prisma.outbox.findFirstOrThrow({ where: { channel: 'wechat' }, orderBy: { createdAt: 'desc' } });
    expect(row).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(h.saidTo(li)).toHaveLength(1);

    // The restart waits for its backoff on the core's clock, then Wechaty starts again.
    const restarted = nextStart(h);
    h.clock.advance(DEFAULT_RESTART_BACKOFF.initialMs);
    await restarted;
    await h.login();
    expect(h.events.map((e) => e.event)).toEqual(['login_qr', 'logged_in', 'logged_out', 'login_qr', 'logged_in']);

    // Sent as soon as the session is back: no retry timer to wait out.
    await h.settle(() => h.saidTo(li).length === 2, 'the queued reply');
    await h.settle(() => h.founder.notices().some((n) => n.type === 'delivery_report' && n.delivered), 'the delivery report');
    h.clock.advance(LOGGED_OUT_RETRY_MS);
    await h.desk.drain();
    expect(h.saidTo(li).map((s) => s.text)).toEqual([expect.any(String), '可以开具，请发来抬头。']);
  });

  it('runs under the wechat lease, and a stop of its own is not a logout: nothing reported, no restart', async () => {
    h = await startWechatHarness();
    const prisma = h.desk.database.db.prisma;
    expect(await prisma.sessionLease.findMany({ select: { name: true } })).toEqual([{ name: 'wechat' }]);
    await h.channel.stop();
    // The login ends with the lease, and the lease is given back for a standby to take at once.
    expect(h.channel.bot.isLoggedIn).toBe(false);
    expect(await prisma.sessionLease.count()).toBe(0);
    expect(h.events.map((e) => e.event)).toEqual(['login_qr', 'logged_in']);
    expect(h.clock.pending()).toEqual([]);
  });
});

describe('wechat: friend requests', () => {
  /** A friend request as the puppet reports it (the mock keeps no friendship payloads of its own). */
  async function request(harness: WechatHarness, hello: string): Promise<string[]> {
    const stranger = harness.contact('陌生人');
    const accepted: string[] = [];
    const puppet = harness.puppet as unknown as {
      friendshipRawPayload(id: string): Promise<unknown>;
      friendshipAccept(id: string): Promise<void>;
    };
    puppet.friendshipRawPayload = async (id) => ({ id, contactId: stranger.id, hello, type: types.Friendship.Receive, timestamp: Date.now() });
    puppet.friendshipAccept = async (id) => {
      accepted.push(id);
    };
    const seen = new Promise<void>((resolve) => harness.channel.bot.once('friendship', () => resolve()));
    harness.puppet.emit('friendship', { friendshipId: `fr-${hello}` });
    await seen;
    return accepted;
  }

  it('accepts a request whose greeting holds the keyword, and greets the new friend in Chinese, once', async () => {
    h = await startWechatHarness({ env: { WECHATY_ACCEPT_FRIENDS: '订单' } });
    const accepted = await request(h, '你好，我的订单号 A123');
    await h.settle(() => accepted.length > 0, 'the acceptance');
    expect(accepted).toEqual(['fr-你好，我的订单号 A123']);
    expect(h.events.some((e) => e.event === 'friend_request')).toBe(false);
    await h.settle(() => h.allSaid().some((s) => s.text === phrases('zh').greeting), 'the greeting');
    // The same request reported again (same request id) greets no second time.
    await request(h, '你好，我的订单号 A123');
    await h.desk.drain();
    expect(h.allSaid().filter((s) => s.text === phrases('zh').greeting)).toHaveLength(1);
  });

  it('leaves any other request to the founder', async () => {
    h = await startWechatHarness({ env: { WECHATY_ACCEPT_FRIENDS: '订单' } });
    const accepted = await request(h, '交个朋友');
    const event = await h.settle(() => h.events.find((e) => e.event === 'friend_request'), 'the friend request event');
    expect(event.detail).toContain('陌生人');
    expect(event.detail).toContain('交个朋友');
    expect(accepted).toEqual([]);
  });
});
