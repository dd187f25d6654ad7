import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerSender, splitText } from '../../../src/adapters/slack/customer-channel.ts';
import { createSlackClient, mapSlackError, slackCall } from '../../../src/adapters/slack/send.ts';
import { NetworkError, PlatformApiError, RateLimitedError } from '../../../src/errors.ts';
import type { CustomerDelivery, Delivery } from '../../../src/core/ports.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-web-api.ts';
import { silentLogger } from '../../support/silent-logger.ts';

const TOKEN = 'xoxb-test-token';
let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
});
afterAll(async () => {
  await fake.close();
});

function delivery(message: Partial<CustomerDelivery['message']>): Delivery {
  return {
    id: 'o1', channel: 'slack', attempt: 1,
    payload: { type: 'customer_message', conversationId: 'c1', messageId: 'm1', message: { channel: 'slack', chatId: 'D1', text: 'hi', format: 'plain', ...message } },
  };
}

describe('Slack errors in the core\'s shape (real WebClient, fake Slack)', () => {
  const client = () => createSlackClient({ token: TOKEN, apiUrl: fake.apiUrl, logger: silentLogger() });

  it('429 → RateLimitedError in milliseconds, at once (the client does not sleep or retry)', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfterSec: 30 });
    const before = fake.callsOf('chat.postMessage').length;
    const error = await slackCall(() => client().chat.postMessage({ channel: 'C1', text: 'x' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(fake.callsOf('chat.postMessage').length - before).toBe(1);
  });

  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'account_inactive'])('%s → permanent PlatformApiError', async (code) => {
    fake.failNext('chat.postMessage', { error: code });
    const error = await slackCall(() => client().chat.postMessage({ channel: 'C1', text: 'x' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformApiError);
    expect((error as PlatformApiError).permanent).toBe(true);
    expect((error as PlatformApiError).message).toBe(`slack: ${code}`);
  });

  it('other platform errors are transient; messages never carry the token', async () => {
    fake.failNext('chat.postMessage', { error: 'internal_error' });
    const error = await slackCall(() => client().chat.postMessage({ channel: 'C1', text: 'x' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformApiError);
    expect((error as PlatformApiError).permanent).toBe(false);
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain(TOKEN);
  });

  it('an unreachable server is a NetworkError', async () => {
    const dead = createSlackClient({ token: TOKEN, apiUrl: 'http://127.0.0.1:9/api/', logger: silentLogger() });
    const error = await slackCall(() => dead.auth.test()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(mapSlackError(new Error('plain'))).toBeInstanceOf(Error);
  });
});

describe('customer sender', () => {
  const sender = () => createCustomerSender(createSlackClient({ token: TOKEN, apiUrl: fake.apiUrl, logger: silentLogger() }));

  it('posts in the customer\'s thread with buttons, and declares per-chat limits', async () => {
    const s = sender();
    expect(s.channel).toBe('slack');
    expect(s.limits).toEqual({ perChatIntervalMs: 1000 });
    const result = await s.send(delivery({ chatId: 'CSHARED', threadId: '1767224901.701849', text: 'Did this help? <yes>', buttons: [{ action: 'fb:m1:up', label: '👍' }] }));
    const posted = fake.posted().at(-1)!;
    expect(posted).toMatchObject({ channel: 'CSHARED', thread_ts: '1767224901.701849', text: 'Did this help? &lt;yes&gt;' });
    expect(JSON.stringify(posted.blocks)).toContain('"value":"fb:m1:up"');
    expect(result.platformMessageIds).toEqual([`CSHARED:${posted.ts}`]);
  });

  it('splits long texts; a permanent failure is reported as such', async () => {
    const before = fake.posted().length;
    const result = await sender().send(delivery({ text: `${'word '.repeat(700)}\n\n${'more '.repeat(700)}` }));
    expect(result.platformMessageIds).toHaveLength(2);
    expect(fake.posted().length - before).toBe(2);
    expect(fake.posted().at(-1)?.text).toMatch(/^more more/);
    expect(splitText('a'.repeat(10), 4)).toEqual(['aaaa', 'aaaa', 'aa']);

    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(sender().send(delivery({}))).rejects.toMatchObject({ permanent: true, reason: 'chat_not_found' });
  });
});
