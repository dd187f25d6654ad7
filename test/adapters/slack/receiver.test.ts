import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackApp, type SlackApp } from '../../../src/adapters/slack/app.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { OverloadedError } from '../../../src/errors.ts';
import { dmMessageEvent } from '../../fixtures/slack/events.ts';
import { blockActionsBody, eventCallbackBody, FORM, postSigned, slashCommandBody, urlVerificationBody } from '../../fakes/slack-signing.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-web-api.ts';
import { silentLogger } from '../../support/silent-logger.ts';

// The receiver with the real Bolt app of createSlackApp, on a real HTTP server, with a clock of
// the test's own. The listeners are the test's: what is under test is how the receiver answers
// what they do (ack, fail, overload) — store before ack, and an answer for every request.

const SECRET = 'receiver-test-secret';
const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW_S = Math.floor(NOW_MS / 1000);

let fake: FakeSlack;
let slack: SlackApp;
let server: Server;
let url: string;
let rejected: Array<{ reason: string; platformEventId?: string }>;
let recordFailure: Error | undefined;
/** The order in which listeners and the HTTP answer happened. */
let log: string[];

beforeEach(async () => {
  fake = await startFakeSlack({ token: 'xoxb-1-2-receiver' });
  rejected = [];
  recordFailure = undefined;
  log = [];
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-receiver', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });
  slack = createSlackApp(config.slack!, silentLogger(), {
    now: () => NOW_MS,
    recordUnprocessable: async (r) => {
      if (recordFailure !== undefined) throw recordFailure;
      rejected.push(r);
    },
  });
  const receiver = slack.receiver!;
  server = createServer((req, res) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      log.push(`answered ${String(args[0])}`);
      return writeHead(...args);
    }) as typeof res.writeHead;
    void receiver.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await fake.close();
});

const post = (body: string, o: { timestamp?: number; headers?: Record<string, string>; contentType?: string } = {}) =>
  postSigned(url, body, { signingSecret: SECRET, timestamp: o.timestamp ?? NOW_S, ...(o.headers ? { headers: o.headers } : {}), ...(o.contentType ? { contentType: o.contentType } : {}) });

const dmBody = (eventId = 'EvR1') => eventCallbackBody({ eventId, event: dmMessageEvent({ text: 'hello', ts: '1767300000.000001' }) });

describe('authenticity, on the injected clock', () => {
  it.each([
    ['299 s old', NOW_S - 299, 200],
    ['299 s ahead', NOW_S + 299, 200],
    ['301 s old', NOW_S - 301, 401],
    ['301 s ahead', NOW_S + 301, 401],
    ['10 minutes ahead', NOW_S + 600, 401],
  ])('a timestamp %s → %i', async (_name, timestamp, status) => {
    slack.app.event('message', async () => {
      log.push('listener');
    });
    const res = await post(dmBody(), { timestamp });
    expect(res.status).toBe(status);
    expect(log.includes('listener')).toBe(status === 200);
  });

  it('no signature or a forged one → 401, no listener runs', async () => {
    slack.app.event('message', async () => {
      log.push('listener');
    });
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: dmBody() });
    const forged = await post(dmBody(), { headers: { 'x-slack-signature': `v0=${'a'.repeat(64)}` } });
    expect([unsigned.status, forged.status]).toEqual([401, 401]);
    expect(log).toEqual(['answered 401', 'answered 401']);
  });
});

describe('Slack\'s own checks', () => {
  it('url_verification is answered with its challenge; ssl_check with 200, even unsigned', async () => {
    const challenge = await post(urlVerificationBody('c-42'));
    expect([challenge.status, JSON.parse(challenge.text)]).toEqual([200, { challenge: 'c-42' }]);
    const ssl = await fetch(url, { method: 'POST', headers: { 'content-type': FORM }, body: 'ssl_check=1&token=deprecated' });
    expect(ssl.status).toBe(200);
  });
});

describe('store before ack', () => {
  it('the answer goes out after the listener finished, with what ack() was given', async () => {
    slack.app.command('/kb', async ({ ack }) => {
      await ack({ response_type: 'ephemeral', text: 'working on it' });
      log.push('acked');
      await new Promise((resolve) => setImmediate(resolve));
      log.push('listener finished');
    });
    const res = await post(slashCommandBody({ command: '/kb', text: 'help' }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ response_type: 'ephemeral', text: 'working on it' });
    expect(log).toEqual(['acked', 'listener finished', 'answered 200']);
  });

  it('Slack\'s retry headers reach the listeners', async () => {
    const seen: unknown[] = [];
    slack.app.event('message', async ({ context }) => {
      seen.push([context.retryNum, context.retryReason]);
    });
    await post(dmBody('EvRetry1'), { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    await post(dmBody('EvRetry2'), { headers: { 'x-slack-retry-num': 'two' } });
    expect(seen).toEqual([[2, 'http_timeout'], [undefined, undefined]]);
  });
});

describe('failures are answered so that Slack retries, and never crash the process', () => {
  it('a listener that throws → 500; Slack\'s retry of the same event is processed → 200', async () => {
    let calls = 0;
    slack.app.event('message', async () => {
      calls += 1;
      if (calls === 1) throw new Error('database went away');
    });
    const first = await post(dmBody('EvFail1'));
    const retry = await post(dmBody('EvFail1'), { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } });
    expect([first.status, retry.status]).toEqual([500, 200]);
    expect(first.text).not.toContain('database went away');
    expect(calls).toBe(2);
  });

  it('OverloadedError → 503 with Retry-After in whole seconds', async () => {
    slack.app.event('message', async () => {
      throw new OverloadedError('the delivery could not be stored in time', 1_500);
    });
    const res = await post(dmBody('EvBusy1'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('one of two listeners overloaded (Bolt wraps both failures) → still 503', async () => {
    slack.app.event('message', async () => {
      throw new Error('other failure');
    });
    slack.app.event('message', async () => {
      throw new OverloadedError('queue full', 1_000);
    });
    const res = await post(dmBody('EvBusy2'));
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1']);
  });
});

describe('signed payloads nothing can process are acknowledged and recorded', () => {
  it('a button nobody listens to → 200, recorded with the reason', async () => {
    const res = await post(blockActionsBody({ actionId: 'nobody_listens', value: 'v', channelId: 'C1', messageTs: '1.1' }));
    expect(res.status).toBe(200);
    expect(rejected).toEqual([{ reason: 'no listener took it', raw: expect.objectContaining({ type: 'block_actions' }) }]);
  });

  it('an event Bolt cannot read → 200, recorded with its event id', async () => {
    const res = await post(JSON.stringify({ type: 'event_callback', event_id: 'EvBroken1', event: 7 }));
    expect(res.status).toBe(200);
    expect(rejected).toMatchObject([{ reason: 'unreadable payload', platformEventId: 'EvBroken1' }]);
  });

  it('when even the record fails, Slack is told to retry (503 when overloaded, else 500)', async () => {
    recordFailure = new OverloadedError('busy', 3_000);
    const busy = await post(JSON.stringify({ type: 'event_callback', event_id: 'EvBroken2', event: 7 }));
    recordFailure = new Error('disk full');
    const broken = await post(JSON.stringify({ type: 'event_callback', event_id: 'EvBroken3', event: 7 }));
    expect([busy.status, busy.headers.get('retry-after'), broken.status]).toEqual([503, '3', 500]);
  });
});
