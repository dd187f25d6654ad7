/**
 * Issue 11, Telegram webhook: hostile or odd input and a failing core, each answered with a clear
 * status that changes nothing it should not — through the real channel on our HTTP server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OverloadedError } from '../../../src/errors.ts';
import { textUpdate } from '../../fixtures/telegram/updates.ts';
import { SECRET, startHarness, type Harness } from './harness.ts';

const CUSTOMER = 3333333;
let h: Harness | undefined;

afterEach(async () => {
  try {
    // Whatever went wrong in these flows, the bot token never reached a log line.
    if (h) expect(h.logs.join('')).not.toContain(h.fake.token);
  } finally {
    await h?.close();
    h = undefined;
  }
});

const prisma = () => h!.desk.database.db.prisma;
const customerMessages = () => prisma().message.findMany({ where: { author: 'customer' } });
const rejected = () => prisma().inboundEvent.findMany({ where: { status: 'rejected' } });

/** A question the KB answers, so a stored one is visible as a reply too. */
const question = (updateId: number, messageId = updateId) =>
  textUpdate({ updateId, chatId: CUSTOMER, fromId: CUSTOMER, messageId, text: 'How do I reset my password?' });

/** `text` sent as a stream of 64 KiB chunks: no Content-Length, Transfer-Encoding: chunked. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 64 * 1024));
      at += 64 * 1024;
    },
  });
}

describe('Telegram webhook: body limits and parsing', () => {
  it('a chunked 2 MB body (no Content-Length) gets 413 and nothing is stored; the next update is served', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const huge = textUpdate({ updateId: 1, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 1, text: 'x'.repeat(2 * 1024 * 1024) });
    const response = await h.postRaw(chunked(JSON.stringify(huge)));
    expect(response.status).toBe(413);
    await h.desk.drain();
    expect(await customerMessages()).toHaveLength(0);
    expect(await prisma().inboundEvent.count()).toBe(0);

    expect((await h.post(question(2))).status).toBe(200);
    await h.settle(() => h!.sentTo(CUSTOMER).length > 0, 'the next update answered');
    expect(await customerMessages()).toHaveLength(1);
  });

  it('checks the secret before reading the body: a wrong secret with a huge body is 401', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const response = await h.postRaw(chunked('{"update_id":1,"pad":"' + 'y'.repeat(2 * 1024 * 1024) + '"}'), {
      headers: { 'x-telegram-bot-api-secret-token': 'wrong' },
    });
    expect(response.status).toBe(401);
  });

  it('a body that is not JSON gets 400 and changes nothing', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    expect((await h.postRaw('{"update_id": 1, "message": ')).status).toBe(400);
    expect((await h.postRaw('')).status).toBe(400);
    await h.desk.drain();
    expect(await prisma().inboundEvent.count()).toBe(0);
  });

  it('after stop (as before start) it answers 503 with Retry-After', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    await h.channel.stop();
    const response = await h.post(question(3));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    await h.desk.drain();
    expect(await prisma().inboundEvent.count()).toBe(0);
  });
});

describe('Telegram webhook: structurally invalid updates are acknowledged and recorded, never retried for ever', () => {
  it('`date` as a string: 200, recorded as rejected once (also when redelivered), not stored as a message', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const update = question(10) as unknown as { message: Record<string, unknown> };
    update.message.date = '2026-01-01';
    expect((await h.postRaw(JSON.stringify(update))).status).toBe(200);
    expect((await h.postRaw(JSON.stringify(update))).status).toBe(200);
    await h.desk.drain();
    const records = await rejected();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ channel: 'telegram', platformMessageId: 'update:10' });
    expect(records[0]!.reason).toMatch(/message\.date/);
    expect(await customerMessages()).toHaveLength(0);
    expect(h.fake.sent()).toHaveLength(0);
  });

  it('`text` as a number: 200, recorded as rejected, not stored as a message', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const update = question(11) as unknown as { message: Record<string, unknown> };
    update.message.text = 12345;
    expect((await h.postRaw(JSON.stringify(update))).status).toBe(200);
    await h.desk.drain();
    const records = await rejected();
    expect(records.map((r) => r.reason)).toEqual([expect.stringMatching(/message\.text/)]);
    expect(await customerMessages()).toHaveLength(0);
  });

  it('absurdly deep nesting is not a 500: 200 and recorded as rejected', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const depth = 100_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const inMessage = JSON.stringify(question(12)).replace('"text":', `"extra":${deep},"text":`);
    expect((await h.postRaw(inMessage)).status).toBe(200);
    expect((await h.postRaw(deep)).status).toBe(200);
    await h.desk.drain();
    const records = await rejected();
    expect(records.map((r) => r.reason).sort()).toEqual(['too_deep', 'too_deep']);
    expect(records.map((r) => r.platformMessageId)).toContain('update:12');
    expect(await customerMessages()).toHaveLength(0);
  });

  it('JSON that is not an update (null, an array, a string) is acknowledged and recorded', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    for (const body of ['null', '[1,2]', '"hello"']) expect((await h.postRaw(body)).status).toBe(200);
    await h.desk.drain();
    expect(await rejected()).toHaveLength(3);
  });

  it('text with U+0000 and a lone surrogate is 200 and stored (cleaned), and answered', async () => {
    h = await startHarness({ webhookSecret: SECRET });
    const update = textUpdate({ updateId: 13, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 13, text: 'How do I reset\u0000 my password? \uD800' });
    const body = JSON.stringify(update);
    expect(body).toContain('\\u0000');
    expect(body).toContain('\\ud800');
    expect((await h.postRaw(body)).status).toBe(200);
    await h.settle(() => h!.sentTo(CUSTOMER).length > 0, 'an answer');
    const [stored] = await customerMessages();
    expect(stored!.text).not.toContain('\u0000');
    expect(stored!.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(stored!.text).toMatch(/^How do I reset. my password\? .$/u);
    expect(await rejected()).toHaveLength(0);
  });
});

describe('Telegram webhook: a failing core', () => {
  it('OverloadedError → 503 with Retry-After in seconds; the redelivery is stored and answered once', async () => {
    let refuse = true;
    h = await startHarness({
      webhookSecret: SECRET,
      wrapCore: (core) => ({
        ...core,
        handleInbound(input) {
          if (!refuse) return core.handleInbound(input);
          refuse = false;
          return Promise.reject(new OverloadedError('inbox full', 2_500));
        },
      }),
    });
    const first = await h.post(question(20));
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('3');
    await h.desk.drain();
    expect(await customerMessages()).toHaveLength(0);

    expect((await h.post(question(20))).status).toBe(200);
    expect((await h.post(question(20))).status).toBe(200);
    await h.settle(() => h!.sentTo(CUSTOMER).length > 0, 'the answer');
    await h.desk.drain();
    expect(await customerMessages()).toHaveLength(1);
    expect(h.sentTo(CUSTOMER)).toHaveLength(1);
  });

  it('any other failure → 500, logged without the token (grammY’s BotError carries it)', async () => {
    h = await startHarness({
      webhookSecret: SECRET,
      wrapCore: (core) => ({ ...core, handleInbound: () => Promise.reject(new Error('connection to the database lost')) }),
    });
    expect((await h.post(question(21))).status).toBe(500);
    // Still serving: the failure of one request did not take anything down.
    expect((await h.post(question(22))).status).toBe(500);
    const logs = h.logs.join('');
    expect(logs).toContain('connection to the database lost');
    expect(logs).toContain('telegram update not stored');
    expect(logs).not.toContain(h.fake.token);
  });

  it('rejectInbound failing (database away) → 500, so Telegram redelivers the poison update until it is recorded', async () => {
    let failures = 1;
    h = await startHarness({
      webhookSecret: SECRET,
      wrapCore: (core) => ({
        ...core,
        rejectInbound(rejection) {
          if (failures-- > 0) return Promise.reject(new Error('database unavailable'));
          return core.rejectInbound(rejection);
        },
      }),
    });
    const update = question(23) as unknown as { message: Record<string, unknown> };
    update.message.date = 'yesterday';
    expect((await h.postRaw(JSON.stringify(update))).status).toBe(500);
    expect(await rejected()).toHaveLength(0);
    expect((await h.postRaw(JSON.stringify(update))).status).toBe(200);
    expect(await rejected()).toHaveLength(1);
  });
});
