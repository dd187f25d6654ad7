import { afterEach, describe, expect, it } from 'vitest';
import { phrases } from '../../../src/core/phrases.ts';
import type { FounderNotice } from '../../../src/core/ports.ts';
import { OverloadedError } from '../../../src/errors.ts';
import { encryptWechatMessage, wechatSignature } from '../../../src/http/wechat-crypto.ts';
import { buildWechatXml } from '../../../src/http/wechat-xml.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { OA_AES_KEY, OA_TOKEN, startOfficialHarness, type OfficialHarness } from './harness.ts';

// Followers of an Official Account through our real /wechat/official endpoint (the service's HTTP
// server), signed callbacks in plaintext and safe mode, a real core and KB, and the fake WeChat
// API for custom/send and the access token.

let h: OfficialHarness;
afterEach(async () => {
  await h?.close();
});

const WANG = 'oWang_openid_0001';
const LI = 'oLi_openid_0002';

async function withChineseArticle(safeMode = false): Promise<OfficialHarness> {
  const harness = await startOfficialHarness({ safeMode });
  // One Chinese refund article (test/fixtures/kb-zh), as the founder's KB folder would hold it.
  await importKbDirectory(harness.desk.kb, 'test/fixtures/kb-zh', 'test');
  await harness.desk.kb.sync(true);
  return harness;
}

/** Delivers a callback and reads the status and Retry-After header. */
async function fetchStatus(harness: OfficialHarness, callback: { fields: Record<string, string | number> }): Promise<{ status: number; retryAfter: string | null }> {
  const timestamp = String(Math.floor(harness.clock.now() / 1000));
  const query = new URLSearchParams({ signature: wechatSignature(OA_TOKEN, timestamp, '9'), timestamp, nonce: '9' });
  const response = await fetch(`${harness.url}?${query}`, { method: 'POST', body: buildWechatXml(callback.fields) });
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

const reports = (notices: FounderNotice[]) => notices.filter((n): n is Extract<FounderNotice, { type: 'delivery_report' }> => n.type === 'delivery_report');

async function escalate(harness: OfficialHarness, openId: string, text = '你们支持开发票吗？'): Promise<string> {
  expect((await harness.deliver(harness.text(openId, text))).status).toBe(200);
  const notice = await harness.settle(() => harness.founder.notices().find((n) => n.type === 'escalation'), 'the escalation');
  return (notice as Extract<FounderNotice, { type: 'escalation' }>).conversationId;
}

for (const safeMode of [false, true]) {
  describe(`wechat_oa in ${safeMode ? 'safe (encrypted)' : 'plaintext'} mode`, () => {
    it('answers a Chinese question from the Chinese article through custom/send, as plain text', async () => {
      h = await withChineseArticle(safeMode);
      const answer = await h.deliver(h.text(WANG, '怎么申请退款？'));
      expect(answer).toEqual({ status: 200, body: 'success' });
      const [sent] = await h.settle(() => (h.wechat.delivered().length > 0 ? h.wechat.delivered() : null), 'the answer');
      expect(sent!.touser).toBe(WANG);
      expect(sent!.msgtype).toBe('text');
      expect(sent!.content).toContain('申请退款');
      // KB Markdown is rendered: WeChat would show ** literally.
      expect(sent!.content).not.toContain('**');
      expect(await h.storedCustomerTexts()).toEqual(['怎么申请退款？']);
      // The token went out in the query only, and never into a log line.
      expect(h.logs.join('\n')).not.toContain(sent!.accessToken);
    });

    it('refuses a forged signature with 401 and stores nothing', async () => {
      h = await startOfficialHarness({ safeMode });
      const forged = await h.deliver(h.text(WANG, '怎么申请退款？'), { signature: 'f'.repeat(40) });
      expect(forged.status).toBe(401);
      if (safeMode) expect((await h.deliver(h.text(WANG, '怎么申请退款？'), { msgSignature: '0'.repeat(40) })).status).toBe(401);
      await h.desk.drain();
      expect(await h.storedCustomerTexts()).toEqual([]);
      expect(h.wechat.sends).toEqual([]);
    });

    it('greets a new follower in Chinese and ignores an unfollow', async () => {
      h = await startOfficialHarness({ safeMode });
      expect((await h.deliver(h.event(LI, 'subscribe'))).status).toBe(200);
      const [greeting] = await h.settle(() => (h.wechat.delivered().length > 0 ? h.wechat.delivered() : null), 'the greeting');
      expect(greeting).toMatchObject({ touser: LI, content: phrases('zh').greeting });
      expect((await h.deliver(h.event(LI, 'unsubscribe'))).body).toBe('success');
      await h.desk.drain();
      expect(await h.storedCustomerTexts()).toEqual(['[subscribe]']);
      expect(h.wechat.sends).toHaveLength(1);
    });
  });
}

describe('wechat_oa ratings', () => {
  it('reads "2" typed under an answer\'s rating as its 👎: stored as a press, and the founder takes over', async () => {
    h = await withChineseArticle();
    await h.deliver(h.text(WANG, '怎么申请退款？'));
    const [answer] = await h.settle(() => (h.wechat.delivered().length > 0 ? h.wechat.delivered() : null), 'the answer');
    expect(answer!.content).toMatch(/\n1\. .*\n2\. /);
    expect((await h.deliver(h.text(WANG, '2'))).status).toBe(200);
    const notice = await h.settle(() => h.founder.notices().find((n) => n.type === 'escalation'), 'the escalation');
    expect(notice).toMatchObject({ reason: 'customer_rejected_answer' });
    // The "2" is stored as the press (its label), not as a question the customer asked.
    expect(await h.storedCustomerTexts()).toEqual(['怎么申请退款？', '[pressed 👎]']);
  });
});

describe('wechat_oa callbacks', () => {
  it('stores a callback WeChat retried three times once, and answers it once', async () => {
    h = await withChineseArticle();
    const callback = h.text(WANG, '怎么申请退款？', '7000000000000000001');
    for (let i = 0; i < 4; i++) expect(await h.deliver(callback)).toEqual({ status: 200, body: 'success' });
    await h.settle(() => h.wechat.delivered().length > 0, 'the answer');
    await h.desk.drain();
    expect(await h.storedCustomerTexts()).toEqual(['怎么申请退款？']);
    expect(h.wechat.delivered()).toHaveLength(1);
  });

  it('dedupes a retried event by FromUserName + CreateTime: one greeting', async () => {
    h = await startOfficialHarness();
    const follow = h.event(LI, 'subscribe');
    for (let i = 0; i < 3; i++) expect((await h.deliver(follow)).status).toBe(200);
    await h.settle(() => h.wechat.delivered().length > 0, 'the greeting');
    await h.desk.drain();
    expect(h.wechat.delivered()).toHaveLength(1);
  });

  it('takes a menu CLICK as the question its EventKey holds', async () => {
    h = await withChineseArticle();
    expect((await h.deliver(h.event(WANG, 'CLICK', { EventKey: '我想退款' }))).status).toBe(200);
    const [sent] = await h.settle(() => (h.wechat.delivered().length > 0 ? h.wechat.delivered() : null), 'the answer');
    expect(sent!.content).toContain('申请退款');
    expect(await h.storedCustomerTexts()).toEqual(['我想退款']);
  });

  it('normalises media and location: the MediaId as a reference, the voice recognition as the text', async () => {
    h = await startOfficialHarness();
    const base = { ToUserName: 'gh_x', FromUserName: WANG, CreateTime: Math.floor(h.clock.now() / 1000) };
    await h.deliver({ fields: { ...base, MsgType: 'image', PicUrl: 'http://mmbiz/x.jpg', MediaId: 'media-img-1', MsgId: '8000000000000000001' } });
    await h.deliver({ fields: { ...base, MsgType: 'voice', MediaId: 'media-voice-1', Format: 'amr', Recognition: '怎么退款', MsgId: '8000000000000000002' } });
    await h.deliver({ fields: { ...base, MsgType: 'location', Location_X: '23.13', Location_Y: '113.26', Scale: '20', Label: '广州', MsgId: '8000000000000000003' } });
    await h.desk.drain();
    const rows = await h.desk.database.db.prisma.message.findMany({ where: { author: 'customer' }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.text)).toEqual(['[image]', '怎么退款', '[location] 广州 (23.13, 113.26)']);
    expect(JSON.stringify(rows[0])).toContain('media-img-1');
    expect(JSON.stringify(rows[1])).toContain('media-voice-1');
  });

  it('answers 503 with Retry-After while the desk is overloaded, so WeChat retries; the retry is stored', async () => {
    let refuse = true;
    h = await startOfficialHarness({
      wrapCore: (core) => ({
        ...core,
        handleInbound: (input) => (refuse ? Promise.reject(new OverloadedError('busy', 3_000)) : core.handleInbound(input)),
      }),
    });
    const callback = h.text(WANG, '怎么申请退款？');
    const refused = await fetchStatus(h, callback);
    expect(refused).toEqual({ status: 503, retryAfter: '3' });
    expect(await h.storedCustomerTexts()).toEqual([]);
    refuse = false;
    expect(await h.deliver(callback)).toEqual({ status: 200, body: 'success' });
    await h.desk.drain();
    expect(await h.storedCustomerTexts()).toEqual(['怎么申请退款？']);
  });

  it('answers 400 to a body that is not WeChat XML, and stores nothing', async () => {
    h = await startOfficialHarness();
    expect((await h.deliver(h.text(WANG, 'x'), { body: 'not xml' })).status).toBe(400);
    expect(await h.storedCustomerTexts()).toEqual([]);
  });

  it('answers 400 to an encrypted callback it cannot decrypt (signed correctly), and stores nothing', async () => {
    h = await startOfficialHarness({ safeMode: true });
    // Encrypted for another account (another appid): the key fits, the receiver does not.
    const encrypt = encryptWechatMessage('<xml><MsgType>text</MsgType></xml>', OA_AES_KEY, 'wxsomeoneelse00000');
    const garbage = Buffer.alloc(64, 3).toString('base64');
    for (const payload of [encrypt, garbage]) {
      const timestamp = String(Math.floor(h.clock.now() / 1000));
      const query = new URLSearchParams({
        signature: wechatSignature(OA_TOKEN, timestamp, '42'), timestamp, nonce: '42', encrypt_type: 'aes',
        msg_signature: wechatSignature(OA_TOKEN, timestamp, '42', payload),
      });
      const response = await fetch(`${h.url}?${query}`, { method: 'POST', body: `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${payload}]]></Encrypt></xml>` });
      expect(response.status).toBe(400);
    }
    expect(await h.storedCustomerTexts()).toEqual([]);
  });

  it('refuses a correctly signed callback whose timestamp is stale (a replay)', async () => {
    h = await startOfficialHarness();
    const callback = h.text(WANG, '怎么申请退款？');
    const old = String(Math.floor(h.clock.now() / 1000) - 3600);
    const query = new URLSearchParams({ signature: wechatSignature(OA_TOKEN, old, '7'), timestamp: old, nonce: '7' });
    const response = await fetch(`${h.url}?${query}`, { method: 'POST', body: buildWechatXml(callback.fields) });
    expect(response.status).toBe(401);
    expect(await h.storedCustomerTexts()).toEqual([]);
  });

  it('answers the URL check with echostr (plain, and decrypted in safe mode); a wrong signature is 401', async () => {
    h = await startOfficialHarness({ safeMode: true });
    expect(await h.verify('1616140317555161061')).toEqual({ status: 200, body: '1616140317555161061' });
    expect(await h.verify('1616140317555161061', { encrypted: true })).toEqual({ status: 200, body: '1616140317555161061' });
    expect((await h.verify('1616140317555161061', { signature: 'a'.repeat(40) })).status).toBe(401);
    expect((await h.verify('1616140317555161061', { signature: 'a'.repeat(40), encrypted: true })).status).toBe(401);
  });
});

describe('wechat_oa replies', () => {
  it('relays a founder reply to the escalated follower and reports it delivered', async () => {
    h = await startOfficialHarness();
    const conversationId = await escalate(h, WANG);
    const before = h.wechat.delivered().length;
    await h.desk.core.founder.reply({ conversationId, text: '可以，在订单页面申请发票。', founder: 'test' });
    await h.settle(() => reports(h.founder.notices()).length > 0, 'the delivery report');
    expect(h.wechat.delivered().slice(before).map((s) => [s.touser, s.content])).toEqual([[WANG, '可以，在订单页面申请发票。']]);
    expect(reports(h.founder.notices()).map((r) => r.delivered)).toEqual([true]);
  });

  it('refreshes an expired access token once and sends again', async () => {
    h = await startOfficialHarness();
    const conversationId = await escalate(h, WANG);
    const issued = h.wechat.tokensIssued();
    const sendsBefore = h.wechat.sends.length;
    h.wechat.expireTokens();
    await h.desk.core.founder.reply({ conversationId, text: '已处理。', founder: 'test' });
    await h.settle(() => reports(h.founder.notices()).length > 0, 'the delivery report');
    expect(h.wechat.tokensIssued()).toBe(issued + 1);
    expect(h.wechat.sends.slice(sendsBefore).map((s) => s.failed ?? 0)).toEqual([42001, 0]);
    expect(reports(h.founder.notices()).map((r) => r.delivered)).toEqual([true]);
  });

  it('refreshes the token ~5 minutes before expires_in, without a refused call', async () => {
    h = await startOfficialHarness();
    const conversationId = await escalate(h, WANG);
    const issued = h.wechat.tokensIssued();
    h.clock.advance(7200_000 - 4 * 60_000);
    await h.desk.core.founder.reply({ conversationId, text: '好的。', founder: 'test' });
    await h.settle(() => reports(h.founder.notices()).length > 0, 'the delivery report');
    expect(h.wechat.tokensIssued()).toBe(issued + 1);
    expect(h.wechat.sends.filter((s) => s.failed !== undefined)).toEqual([]);
  });

  it('stops at 45015 (the 48-hour window closed) and tells the founder it was not delivered', async () => {
    h = await startOfficialHarness();
    const conversationId = await escalate(h, WANG);
    const sendsBefore = h.wechat.sends.length;
    h.wechat.failNextSend(45015, { touser: WANG });
    await h.desk.core.founder.reply({ conversationId, text: '抱歉久等了。', founder: 'test' });
    const [report] = await h.settle(() => (reports(h.founder.notices()).length > 0 ? reports(h.founder.notices()) : null), 'the delivery report');
    expect(report!.delivered).toBe(false);
    expect(report!.error).toMatch(/48 hours/);
    await h.desk.drain();
    expect(h.wechat.sends.slice(sendsBefore).map((s) => s.failed)).toEqual([45015]);
    const founderMessages = await h.desk.database.db.prisma.message.findMany({ where: { author: 'founder' } });
    expect(founderMessages.map((m) => m.deliveryState)).toEqual(['failed']);
  });
});
