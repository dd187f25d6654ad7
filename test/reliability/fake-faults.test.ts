/**
 * The fakes' fault injection itself, through the real SDKs: what a fault does to a call, which
 * calls it hits (method, payload match, how many times), and that it clears.
 */
import { webApi } from '@slack/bolt';
import { Bot, GrammyError, HttpError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-web-api.ts';
import { startFakeTelegram, telegramErrors, type FakeTelegram } from '../fakes/telegram-bot-api.ts';

let tg: FakeTelegram;
let slack: FakeSlack;

beforeEach(async () => {
  tg = await startFakeTelegram();
  slack = await startFakeSlack();
});
afterEach(async () => {
  await tg.close();
  await slack.close();
});

function bot(timeoutSeconds = 10): Bot {
  return new Bot(tg.token, { client: { apiRoot: tg.apiRoot, timeoutSeconds }, botInfo: tg.botInfo });
}

function slackClient(): webApi.WebClient {
  return new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: 1_000, logLevel: webApi.LogLevel.ERROR });
}

describe('fault injection in the fake Telegram', () => {
  it('hits only matching calls, as many times as asked', async () => {
    tg.injectFault('sendMessage', telegramErrors.internalServerError(), { times: 2, match: (p) => p.chat_id === 2 });
    const api = bot().api;
    await expect(api.sendMessage(1, 'to one')).resolves.toMatchObject({ text: 'to one' });
    const first = await api.sendMessage(2, 'to two').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(GrammyError);
    expect((first as GrammyError).error_code).toBe(500);
    await expect(api.sendMessage(2, 'again')).rejects.toMatchObject({ error_code: 500 });
    await expect(api.sendMessage(2, 'third time')).resolves.toMatchObject({ text: 'third time' });
    expect(tg.sent().map((m) => m.text)).toEqual(['to one', 'third time']);
  });

  it('a 429 carries retry_after; a reset connection is a network error; both are recorded as failed', async () => {
    tg.injectFault('sendMessage', telegramErrors.tooManyRequests(4));
    tg.injectFault('sendMessage', { network: 'reset' });
    const api = bot().api;
    await expect(api.sendMessage(1, 'a')).rejects.toMatchObject({ error_code: 429, parameters: { retry_after: 4 } });
    await expect(api.sendMessage(1, 'b')).rejects.toBeInstanceOf(HttpError);
    await expect(api.sendMessage(1, 'c')).resolves.toMatchObject({ text: 'c' });
    expect(tg.callsOf('sendMessage').map((c) => c.failed?.error_code)).toEqual([429, 0, undefined]);
  });

  it('a hung call never answers (the client times out) until the fault is cleared', async () => {
    tg.injectFault('sendMessage', { network: 'hang' }, { times: Infinity });
    const api = bot(1).api;
    await expect(api.sendMessage(1, 'lost in the void')).rejects.toBeInstanceOf(HttpError);
    await expect(api.sendMessage(1, 'still hanging')).rejects.toBeInstanceOf(HttpError);
    tg.clearFaults('sendMessage');
    await expect(api.sendMessage(1, 'through')).resolves.toMatchObject({ text: 'through' });
    expect(tg.sent().map((m) => m.text)).toEqual(['through']);
  });
});

describe('fault injection in the fake Slack', () => {
  it('HTTP 500, a reset and a hang fail at the HTTP level; a platform error and 429 as Slack sends them', async () => {
    slack.injectFault('chat.postMessage', { httpStatus: 500 });
    slack.injectFault('chat.postMessage', { network: 'reset' });
    slack.injectFault('chat.postMessage', { network: 'hang' });
    slack.injectFault('chat.postMessage', { status: 429, retryAfterSec: 7 });
    slack.injectFault('chat.postMessage', { error: 'channel_not_found' });
    const client = slackClient();
    const post = (text: string) => client.chat.postMessage({ channel: 'D1', text }).catch((e: unknown) => e as { code?: string });
    expect(await post('1')).toMatchObject({ code: webApi.ErrorCode.HTTPError, statusCode: 500 });
    expect(await post('2')).toMatchObject({ code: webApi.ErrorCode.RequestError });
    expect(await post('3')).toMatchObject({ code: webApi.ErrorCode.RequestError });
    expect(await post('4')).toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 7 });
    expect(await post('5')).toMatchObject({ code: webApi.ErrorCode.PlatformError, data: { error: 'channel_not_found' } });
    expect(await post('6')).toMatchObject({ ok: true });
    expect(slack.callsOf('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual([
      'http_500', 'network_reset', 'network_hang', 'ratelimited', 'channel_not_found', 'ok',
    ]);
    expect(slack.posted().map((p) => p.text)).toEqual(['6']);
  });

  it('a fault for one channel leaves the others alone', async () => {
    slack.injectFault('chat.postMessage', { error: 'is_archived' }, { times: Infinity, match: (p) => p.channel === 'C2' });
    const client = slackClient();
    await expect(client.chat.postMessage({ channel: 'C1', text: 'fine' })).resolves.toMatchObject({ ok: true });
    await expect(client.chat.postMessage({ channel: 'C2', text: 'no' })).rejects.toMatchObject({ data: { error: 'is_archived' } });
    await expect(client.chat.postMessage({ channel: 'C2', text: 'still no' })).rejects.toMatchObject({ data: { error: 'is_archived' } });
    slack.clearFaults();
    await expect(client.chat.postMessage({ channel: 'C2', text: 'yes' })).resolves.toMatchObject({ ok: true });
    expect(slack.posted().map((p) => p.text)).toEqual(['fine', 'yes']);
  });
});
