import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetCustomer } from '../../../src/core/customers/data-rights.ts';
import { handleFounderMessage } from '../../../src/core/founder/founder-message.ts';
import { IDENTITY_SECRET, startWebHarness, type WebHarness, type WebMessageJson } from './harness.ts';

// The widget's HTTP API end to end: sessions and identity, the origin rule, what a message must be,
// storage before the answer, dedupe of a resent message, rate limits, the event stream with its
// catch-up, button presses, and what forgetting a customer does to their browser.

let h: WebHarness;
afterEach(async () => {
  await h?.close();
});

const sign = (userId: string, secret = IDENTITY_SECRET): string => createHmac('sha256', secret).update(userId).digest('hex');

describe('sessions', () => {
  it('gives a new visitor a token, and the same visitor back for it', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    const first = await page.open();
    expect(first.status).toBe(200);
    expect(first.body.visitorId).toMatch(/^anon:/);
    expect(first.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await page.open();
    expect(again.body).toMatchObject({ visitorId: first.body.visitorId, token: first.body.token });
    // Only the hash of the token is kept.
    const rows = await h.desk.database.db.prisma.webSession.findMany();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(first.body.token);
  });

  it('starts over for a token it never gave', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    page.token = 'x'.repeat(43);
    const opened = await page.open();
    expect(opened.status).toBe(200);
    expect(opened.body.token).not.toBe('x'.repeat(43));
  });

  it('links a verified user across browsers, and refuses a forged hash without storing anything', async () => {
    h = await startWebHarness();
    const laptop = h.client();
    const opened = await laptop.open({ userId: 'cus_42', userHash: sign('cus_42'), name: 'Ada' });
    expect(opened.body.visitorId).toBe('user:cus_42');
    expect((await laptop.say('laptop-msg-1', 'How do I reset my password?')).status).toBe(200);
    await h.desk.drain();

    const phone = h.client();
    const onPhone = await phone.open({ userId: 'cus_42', userHash: sign('cus_42') });
    expect(onPhone.body.token).not.toBe(laptop.token);
    expect(onPhone.body.messages.map((m) => m.author)).toEqual(['customer', 'bot']);

    const forger = h.client();
    const sessionsBefore = await h.desk.database.db.prisma.webSession.count();
    for (const userHash of [sign('cus_42', 'not-the-site-secret-000'), sign('cus_43'), '', 'zz']) {
      const refused = await forger.open({ userId: 'cus_42', userHash });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ error: 'identity_invalid' });
    }
    expect(await h.desk.database.db.prisma.webSession.count()).toBe(sessionsBefore);
    expect(forger.token).toBeUndefined();
  });

  it('keeps an anonymous token from becoming a verified user', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    const anonymous = await page.open();
    const verified = await page.open({ userId: 'cus_7', userHash: sign('cus_7') });
    expect(verified.body.visitorId).toBe('user:cus_7');
    expect(verified.body.token).not.toBe(anonymous.body.token);
  });
});

describe('origins', () => {
  it('refuses a site that is not allowed, on every route, in words its page can read', async () => {
    h = await startWebHarness({ kb: false, env: { WEB_ALLOWED_ORIGINS: 'https://shop.example.com' } });
    const allowed = h.client({ origin: 'https://shop.example.com' });
    expect((await allowed.open()).status).toBe(200);
    const evil = h.client({ origin: 'https://evil.example.net' });
    evil.token = allowed.token;
    const session = await evil.open();
    expect(session.status).toBe(403);
    expect(session.body).toEqual({ error: 'origin_not_allowed' });
    // Readable by the page, so the widget says so instead of retrying.
    expect(session.headers.get('access-control-allow-origin')).toBe('https://evil.example.net');
    expect((await evil.say('evil-msg-01', 'hi')).status).toBe(403);
    expect((await evil.press('evil-press-1', 'fb:up:x')).status).toBe(403);
    expect((await evil.stream()).status).toBe(403);
    // The preflight lets the request through to be refused: nothing is done before that answer.
    expect((await evil.request('OPTIONS', '/web/messages')).status).toBe(204);
    expect(await h.desk.database.db.prisma.inboundEvent.count()).toBe(0);
  });

  it('answers an allowed site with CORS headers, and a preflight with what the widget sends', async () => {
    h = await startWebHarness({ kb: false, env: { WEB_ALLOWED_ORIGINS: 'https://shop.example.com, http://localhost:8080' } });
    const page = h.client({ origin: 'http://localhost:8080' });
    const opened = await page.open();
    expect(opened.headers.get('access-control-allow-origin')).toBe('http://localhost:8080');
    expect(opened.headers.get('vary')).toContain('Origin');
    const preflight = await page.request('OPTIONS', '/web/messages', undefined, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('takes the server\'s own pages (the demo) without any configuration', async () => {
    h = await startWebHarness({ kb: false });
    expect((await h.client().open()).status).toBe(200);
    expect((await h.client({ origin: 'http://127.0.0.1:1' }).open()).status).toBe(403);
  });
});

describe('messages', () => {
  it('stores a message before answering, and takes a resend of the same id as a no-op', async () => {
    h = await startWebHarness();
    const page = h.client();
    await page.open({ name: 'Ada', locale: 'en' });
    const sent = await page.say('first-message-1', 'How do I reset my password?');
    expect(sent.status).toBe(200);
    expect(sent.body.duplicate).toBe(false);
    expect(sent.body.message).toMatchObject({ id: 'c:first-message-1', author: 'customer', clientMessageId: 'first-message-1' });
    // Durable when the page was told: in the inbox before the pipeline ran.
    expect(await h.desk.database.db.prisma.inboundEvent.count()).toBe(1);
    const resent = await page.say('first-message-1', 'How do I reset my password?');
    expect(resent.body.duplicate).toBe(true);
    await h.desk.drain();
    const history = await page.history();
    expect(history.filter((m) => m.author === 'customer')).toHaveLength(1);
    expect(history.filter((m) => m.author === 'bot')).toHaveLength(1);
    const customer = await h.desk.database.db.prisma.channelIdentity.findFirstOrThrow({ where: { channel: 'web' }, include: { customer: true } });
    expect(customer.customer.displayName).toBe('Ada');
  });

  it('shows a message still waiting in the inbox in the history, under the id the page gave it', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    await page.open();
    await page.say('waiting-msg-1', 'anyone there?');
    const history = await page.history();
    expect(history).toEqual([expect.objectContaining({ id: 'c:waiting-msg-1', author: 'customer', text: 'anyone there?' })]);
  });

  it('refuses what is not a message with 4xx and stores nothing', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    await page.open();
    expect((await page.request('POST', '/web/messages', '{not json')).status).toBe(400);
    expect((await page.request('POST', '/web/messages', { clientMessageId: 'short', text: 'hi' })).status).toBe(400);
    expect((await page.request('POST', '/web/messages', { clientMessageId: 'has spaces in it', text: 'hi' })).status).toBe(400);
    expect((await page.request('POST', '/web/messages', { clientMessageId: 'valid-id-01', text: 42 })).status).toBe(400);
    expect((await page.say('valid-id-02', '   \n ')).status).toBe(400);
    const long = await page.say('valid-id-03', 'x'.repeat(4_001));
    expect(long.status).toBe(413);
    expect(long.body).toMatchObject({ error: 'message_too_long', maxChars: 4000 });
    expect((await page.request('POST', '/web/messages', { clientMessageId: 'valid-id-04', text: 'y'.repeat(40_000) })).status).toBe(413);
    const stranger = h.client();
    expect((await stranger.say('valid-id-05', 'hello')).status).toBe(401);
    expect(await h.desk.database.db.prisma.inboundEvent.count()).toBe(0);
  });

  it('cleans odd text (NUL, a lone surrogate) and stores it', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    await page.open();
    expect((await page.say('odd-text-01', 'a\u0000b \ud800 c')).status).toBe(200);
    await h.desk.drain();
    const stored = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'customer' } });
    expect(stored.text).not.toContain('\u0000');
    expect(stored.text).toMatch(/^a.*b.*c$/);
  });

  it('limits one visitor\'s rate with 429 and Retry-After, and lets them go on once time has passed', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    await page.open();
    for (let i = 0; i < 10; i++) expect((await page.say(`burst-msg-${i}`, `message ${i}`)).status).toBe(200);
    const refused = await page.say('burst-msg-10', 'one too many');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    h.clock.advance(3_000);
    expect((await page.say('burst-msg-10', 'one too many')).status).toBe(200);
    const other = h.client();
    await other.open();
    expect((await other.say('other-msg-01', 'me too')).status).toBe(200);
    expect(await h.desk.database.db.prisma.inboundEvent.count()).toBe(12);
  });
});

describe('the event stream', () => {
  it('sends the history first, then the answer and the founder\'s reply as they happen', async () => {
    h = await startWebHarness();
    const page = h.client();
    await page.open();
    const stream = await page.stream();
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.until((events) => events.some((e) => e.event === 'history'), 'the history');

    await page.say('kb-question-1', 'How do I reset my password?');
    await h.desk.drain();
    await stream.until(() => stream.messages().some((m) => m.author === 'bot'), 'the KB answer');
    const answer = stream.messages().find((m) => m.author === 'bot')!;
    expect(answer.format).toBe('markdown');
    expect(answer.buttons?.map((b) => b.label)).toEqual(['👍', '👎']);

    await page.say('unknown-question-1', 'Do you ship to Antarctica by penguin?');
    await h.desk.drain();
    const conversation = await h.desk.database.db.prisma.conversation.findFirstOrThrow({ where: { channel: 'web' } });
    await handleFounderMessage(h.desk.core.founder, { conversationId: conversation.id, text: 'Only in summer!', founder: 'test', platformMessageId: 'founder-1' });
    await h.desk.drain();
    await stream.until(() => stream.messages().some((m) => m.author === 'founder'), "the founder's reply");
    expect(stream.messages().find((m) => m.author === 'founder')).toMatchObject({ text: 'Only in summer!', format: 'plain' });
  });

  it('catches a page up on what was sent while it was away, once', async () => {
    h = await startWebHarness();
    const page = h.client();
    await page.open();
    await page.say('away-question', 'Do you ship to Antarctica by penguin?');
    await h.desk.drain();
    const conversation = await h.desk.database.db.prisma.conversation.findFirstOrThrow({ where: { channel: 'web' } });
    // No page open: the reply waits in the mailbox.
    await handleFounderMessage(h.desk.core.founder, { conversationId: conversation.id, text: 'Sent while you slept', founder: 'test', platformMessageId: 'founder-2' });
    await h.desk.drain();
    const delivered = await h.desk.database.db.prisma.message.findFirstOrThrow({ where: { author: 'founder' } });
    expect(delivered.deliveryState).toBe('sent');
    const stream = await page.stream();
    await stream.until((events) => events.some((e) => e.event === 'history'), 'the catch-up');
    const history = (stream.events[0]!.data as { messages: WebMessageJson[] }).messages;
    expect(history.filter((m) => m.text === 'Sent while you slept')).toHaveLength(1);
  });

  it('takes a press of a rating button as feedback on that answer, once', async () => {
    h = await startWebHarness();
    const page = h.client();
    await page.open();
    await page.say('rate-question', 'How do I reset my password?');
    await h.desk.drain();
    const answer = (await page.history()).find((m) => m.author === 'bot')!;
    const up = answer.buttons!.find((b) => b.label === '👍')!;
    expect((await page.press('press-up-001', up.action)).status).toBe(200);
    expect((await page.press('press-up-001', up.action)).body).toMatchObject({ duplicate: true });
    await h.desk.drain();
    const feedback = await h.desk.database.db.prisma.feedback.findMany();
    expect(feedback).toHaveLength(1);
    expect(feedback[0]!.score).toBeGreaterThan(0.5);
  });

  it('refuses a stream without a token we gave', async () => {
    h = await startWebHarness({ kb: false });
    const page = h.client();
    expect((await page.stream()).status).toBe(401);
    page.token = 'A'.repeat(43);
    expect((await page.stream()).status).toBe(401);
  });
});

describe('data rights', () => {
  it('ends the browser sessions of a forgotten customer and shows their old chat to nobody', async () => {
    h = await startWebHarness();
    const page = h.client();
    await page.open();
    await page.say('forget-me-01', 'How do I reset my password?');
    await h.desk.drain();
    const identity = await h.desk.database.db.prisma.channelIdentity.findFirstOrThrow({ where: { channel: 'web' } });
    await forgetCustomer(h.desk.database.db.prisma, identity.customerId, { actor: 'test', clock: h.clock });
    expect((await page.say('forget-me-02', 'still there?')).status).toBe(401);
    const reopened = await page.open();
    expect(reopened.body.messages).toEqual([]);
  });
});

describe('pages', () => {
  it('serves the widget script (with an ETag) and the demo page that embeds it', async () => {
    h = await startWebHarness({ kb: false });
    const script = await fetch(`${h.origin}/widget.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const code = await script.text();
    expect(code.length).toBeGreaterThan(1_000);
    const cached = await fetch(`${h.origin}/widget.js`, { headers: { 'if-none-match': script.headers.get('etag')! } });
    expect(cached.status).toBe(304);
    const demo = await fetch(`${h.origin}/web/demo`);
    const html = await demo.text();
    expect(html).toContain('<script src="/widget.js" async></script>');
    const zh = await (await fetch(`${h.origin}/web/demo`, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } })).text();
    expect(zh).toContain('lang="zh"');
  });
});
