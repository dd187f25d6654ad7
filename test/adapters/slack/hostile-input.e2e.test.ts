import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dmMessageEvent, eventCallback } from '../../fixtures/slack/events.ts';
import { eventCallbackBody, FORM, interactivityBody, postSigned, postSignedChunked } from '../../fakes/slack-signing.ts';
import { nextTs, SECRET, startSlackHarness, type SlackHarness } from './harness.ts';

// Issue 11, Slack: hostile or odd requests, each first seen failing on the old HTTPReceiver
// (a crash, a 200 for a future timestamp, a poison message), now answered on purpose.

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const prisma = () => h.desk.database.db.prisma;
const customerMessages = () => prisma().message.findMany({ where: { author: 'customer' } });

/** The desk still takes a normal customer message end to end after whatever came before. */
async function stillServing(text = 'Is anyone there?'): Promise<void> {
  const before = (await customerMessages()).length;
  const { status } = await h.customerDm(text);
  expect(status).toBe(200);
  await h.drain();
  expect((await customerMessages()).map((m) => m.text)).toContain(text);
  expect((await customerMessages()).length).toBe(before + 1);
}

describe('bodies that are not a Slack payload', () => {
  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '42'],
    ['not JSON at all', '{"type":"event_callback",'],
  ])('correctly signed %s → 400, nothing stored, and the service keeps serving', async (_name, body) => {
    const res = await h.post(body, { contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toHaveProperty('error');
    await h.drain();
    expect(await prisma().message.count()).toBe(0);
    await stillServing();
  });

  it('an interaction whose `payload` field is JSON null → 400', async () => {
    const res = await h.post(new URLSearchParams({ payload: 'null' }).toString(), { contentType: FORM });
    expect(res.status).toBe(400);
    await stillServing();
  });

  it('JSON nested absurdly deep → 400 before anything walks it', async () => {
    const depth = 100_000;
    const body = `{"type":"event_callback","event":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const res = await h.post(body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: 'nested_too_deep' });
    await stillServing();
  });

  it('a chunked 2 MB body (no Content-Length) → 413, nothing stored', async () => {
    const event = dmMessageEvent({ text: 'x'.repeat(2 * 1024 * 1024), ts: nextTs(), user: 'UCUSTOMER', channel: 'D1' });
    const body = eventCallbackBody({ eventId: 'EvChunked1', event });
    const res = await postSignedChunked(h.url, body, { signingSecret: SECRET });
    expect(res.status).toBe(413);
    await h.drain();
    expect(await prisma().message.count()).toBe(0);
    await stillServing();
  });

  it('a chunked body under the limit is read whole and handled', async () => {
    const ts = nextTs();
    const body = eventCallbackBody({ eventId: 'EvChunked2', event: dmMessageEvent({ text: 'streamed in small pieces', ts, user: 'UCUSTOMER', channel: 'D1' }) });
    const res = await postSignedChunked(h.url, body, { signingSecret: SECRET, chunkBytes: 7 });
    expect(res.status).toBe(200);
    await h.drain();
    expect((await customerMessages()).map((m) => m.text)).toEqual(['streamed in small pieces']);
  });
});

describe('timestamps', () => {
  it('a timestamp 10 minutes in the future → 401, nothing stored', async () => {
    const body = eventCallbackBody({ eventId: 'EvFuture1', event: dmMessageEvent({ text: 'from the future', ts: nextTs() }) });
    const res = await postSigned(h.url, body, { signingSecret: SECRET, timestamp: Math.floor(Date.now() / 1000) + 10 * 60 });
    expect(res.status).toBe(401);
    await h.drain();
    expect(await prisma().message.count()).toBe(0);
    expect(h.fake.calls).toEqual([]);
  });
});

describe('strange but genuine messages are stored, not retried for ever', () => {
  it('a customer DM with U+0000 and a lone surrogate → 200, stored once (a redelivery too)', async () => {
    const ts = nextTs();
    const body = eventCallbackBody({ eventId: 'EvNul1', event: dmMessageEvent({ text: 'my code is a\u0000b and \uD800 here', ts, user: 'UCUSTOMER', channel: 'D1' }) });
    expect((await h.post(body)).status).toBe(200);
    expect((await h.post(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } })).status).toBe(200);
    await h.drain();
    const stored = await customerMessages();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.text).toBe('my code is a\uFFFDb and \uFFFD here');
    expect(stored[0]?.platformMessageId).toBe(`D1:${ts}`);
  });

  it('a message event Slack could not have sent (text a number, no ts) → 200, recorded as rejected, nothing stored', async () => {
    const event = { type: 'message', user: 'UCUSTOMER', text: 12345, channel: 'D1', channel_type: 'im' };
    const res = await h.post(JSON.stringify(eventCallback({ eventId: 'EvPoison1', event })));
    expect(res.status).toBe(200);
    await h.drain();
    expect(await prisma().message.count()).toBe(0);
    expect(await rejectedCount()).toBe(1);
    await stillServing();
  });

  it.each([
    ['an event that is a string', { type: 'event_callback', event_id: 'EvOdd1', team_id: 'T1', event: 'x' }],
    ['an action without a user', { type: 'block_actions', actions: [{ action_id: 'a', type: 'button' }] }],
  ])('a signed object Bolt cannot read (%s) → 200 and recorded, not a crash or a 500 Slack retries', async (_name, payload) => {
    const body = 'event' in payload ? JSON.stringify(payload) : interactivityBody(payload);
    const res = await h.post(body);
    expect(res.status).toBe(200);
    await h.drain();
    expect(await rejectedCount()).toBe(1);
    await stillServing();
  });
});

/** Deliveries the core recorded as rejected (core.rejectInbound: rows of the durable inbox). */
async function rejectedCount(): Promise<number> {
  const rows = await prisma().$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "InboundEvent" WHERE status = 'rejected' AND channel = 'slack'`;
  return rows[0]?.n ?? 0;
}
