import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { ErrorCode, LogLevel as WebLogLevel, WebClient, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { botMessageEvent, threadReplyEvent } from '../fixtures/slack/events.ts';
import { blockActionsBody, eventCallbackBody, postSigned, slashCommandBody, urlVerificationBody } from './slack-signing.ts';
import { startFakeSlack, type FakeSlack } from './slack-web-api.ts';

let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

/** The rejection of `promise`; fails the test if it resolves. */
async function rejection<E>(promise: Promise<unknown>): Promise<E> {
  const outcome = await promise.then(() => undefined, (e: unknown) => ({ e }));
  if (outcome === undefined) throw new Error('expected the call to be rejected');
  return outcome.e as E;
}

const client = (options: ConstructorParameters<typeof WebClient>[1] = {}): WebClient =>
  new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, logLevel: WebLogLevel.ERROR, ...options });

describe('fake Slack Web API with @slack/web-api WebClient', () => {
  it('chat.postMessage is recorded with channel, text, thread_ts and decoded blocks', async () => {
    const web = client();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*New ticket*' } }];
    const parent = await web.chat.postMessage({ channel: 'C1', text: 'New ticket', blocks });
    const reply = await web.chat.postMessage({ channel: 'C1', text: 'follow-up', thread_ts: parent.ts });

    expect(parent).toMatchObject({ ok: true, channel: 'C1', message: { text: 'New ticket', bot_id: 'BBOT', user: 'UBOT' } });
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    expect(slack.posted()).toEqual([
      expect.objectContaining({ channel: 'C1', text: 'New ticket', thread_ts: undefined, blocks, ts: parent.ts }),
      expect.objectContaining({ channel: 'C1', text: 'follow-up', thread_ts: parent.ts, ts: reply.ts }),
    ]);
    expect(slack.callsOf('chat.postMessage')[0]?.token).toBe('xoxb-test');

    const thread = await web.conversations.replies({ channel: 'C1', ts: parent.ts ?? '' });
    expect(thread.messages?.map((m) => m.text)).toEqual(['New ticket', 'follow-up']);
    expect(thread.messages?.[0]?.reply_count).toBe(1);
  });

  it('429 with Retry-After: rejectRateLimitedCalls surfaces slack_webapi_rate_limited_error', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 30 });
    const error = await rejection<WebAPIRateLimitedError>(client({ retryConfig: { retries: 0 }, rejectRateLimitedCalls: true })
      .chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 30 });
    expect(error.code).toBe('slack_webapi_rate_limited_error');
    expect(slack.posted()).toEqual([]);
  });

  it('429 without rejectRateLimitedCalls: WebClient waits Retry-After and retries on its own', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfterSec: 0 });
    const res = await client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } }).chat.postMessage({ channel: 'C1', text: 'x' });
    expect(res.ok).toBe(true);
    expect(slack.callsOf('chat.postMessage').map((c) => c.error)).toEqual(['ratelimited', undefined]);
  });

  it('scripted platform errors surface as slack_webapi_platform_error', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const error = await rejection<WebAPIPlatformError>(client().chat.postMessage({ channel: 'CNOPE', text: 'x' }));
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data.error).toBe('channel_not_found');
  });

  it('requests without a token are not_authed', async () => {
    const error = await rejection<WebAPIPlatformError>(new WebClient(undefined, { slackApiUrl: slack.apiUrl }).auth.test());
    expect(error.data.error).toBe('not_authed');
  });

  it('auth.test, users.info (scripted), conversations.info', async () => {
    const web = client();
    expect(await web.auth.test()).toMatchObject({ user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
    slack.users.set('U42', { real_name: 'Ada Lovelace', profile: { display_name: 'ada', email: 'ada@example.com' } });
    expect((await web.users.info({ user: 'U42' })).user).toMatchObject({ id: 'U42', real_name: 'Ada Lovelace', profile: { display_name: 'ada' } });
    expect((await web.users.info({ user: 'U7' })).user).toMatchObject({ id: 'U7', is_bot: false });
    expect((await web.conversations.info({ channel: 'D9' })).channel).toMatchObject({ id: 'D9', is_im: true });
  });

  it('chat.update, postEphemeral, getPermalink, reactions.add', async () => {
    const web = client();
    const msg = await web.chat.postMessage({ channel: 'C1', text: 'draft' });
    const ts = msg.ts ?? '';
    expect(await web.chat.update({ channel: 'C1', ts, text: 'final' })).toMatchObject({ ok: true, ts, text: 'final' });
    await expect(web.chat.update({ channel: 'C1', ts: '1.000000', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    expect((await web.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'psst' })).message_ts).toMatch(/\./);
    expect((await web.chat.getPermalink({ channel: 'C1', message_ts: ts })).permalink).toBe(`https://solodesk-test.slack.com/archives/C1/p${ts.replace('.', '')}`);
    await web.reactions.add({ channel: 'C1', timestamp: ts, name: 'white_check_mark' });
    await expect(web.reactions.add({ channel: 'C1', timestamp: ts, name: 'white_check_mark' })).rejects.toMatchObject({ data: { error: 'already_reacted' } });
  });

  it('views.open / views.update / views.publish with JSON-encoded views', async () => {
    const web = client();
    const opened = await web.views.open({
      trigger_id: '1.2.t',
      view: { type: 'modal', callback_id: 'note', title: { type: 'plain_text', text: 'Note' }, blocks: [], private_metadata: 'T-1' },
    });
    expect(opened.view).toMatchObject({ callback_id: 'note', private_metadata: 'T-1', type: 'modal' });
    expect(slack.callsOf('views.open')[0]?.payload.view).toMatchObject({ callback_id: 'note' });
    const updated = await web.views.update({ view_id: opened.view?.id ?? '', view: { type: 'modal', title: { type: 'plain_text', text: 'Done' }, blocks: [] } });
    expect(updated.view?.id).toBe(opened.view?.id);
    expect((await web.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } })).view?.type).toBe('home');
    await expect(web.views.open({ trigger_id: '', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }))
      .rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
  });

  it('waitFor resolves on a matching call and rejects listing the calls otherwise', async () => {
    const web = client();
    void web.chat.postMessage({ channel: 'C5', text: 'later' });
    await expect(slack.waitFor((c) => c.method === 'chat.postMessage' && c.payload.channel === 'C5')).resolves.toMatchObject({ payload: { text: 'later' } });
    await expect(slack.waitFor((c) => c.method === 'views.open', 50)).rejects.toThrow(/chat\.postMessage/);
  });
});

describe('Bolt App on HTTPReceiver.requestListener, talking to the fake Slack', () => {
  const signingSecret = 'test-signing-secret';
  let server: Server;
  let url: string;
  let app: App;
  const seen: string[] = [];

  beforeEach(async () => {
    seen.length = 0;
    const receiver = new HTTPReceiver({ signingSecret, processBeforeResponse: true, logLevel: LogLevel.ERROR });
    app = new App({
      token: 'xoxb-test', receiver, tokenVerificationEnabled: false, logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    app.message(async ({ message, say }) => {
      if ('text' in message) seen.push(`message:${message.text ?? ''}`);
      await say({ text: 'got it', thread_ts: 'thread_ts' in message ? message.thread_ts : undefined });
    });
    app.command('/solodesk', async ({ command, ack }) => {
      seen.push(`command:${command.text}`);
      await ack();
    });
    app.action('resolve', async ({ ack, body }) => {
      seen.push(`action:${body.type}`);
      await ack();
    });
    server = createServer(receiver.requestListener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a signed event reaches the listener; say() lands in the fake; the bot echo is ignored', async () => {
    const event = threadReplyEvent({ text: 'Hi', threadTs: '1767224888.280449', ts: '1767224901.701849' });
    const res = await postSigned(url, eventCallbackBody({ eventId: 'Ev1', event }), { signingSecret });
    expect(res.status).toBe(200);
    expect(seen).toEqual(['message:Hi']);
    expect(slack.posted()).toEqual([expect.objectContaining({ channel: 'C1', text: 'got it', thread_ts: '1767224888.280449' })]);
    // Bolt's ignoreSelf needs the bot identity: with tokenVerificationEnabled false it asks auth.test lazily.
    expect(slack.callsOf('auth.test')).toHaveLength(1);

    const echo = botMessageEvent({ text: 'got it', asAppBot: true, ts: slack.posted()[0]?.ts });
    await postSigned(url, eventCallbackBody({ eventId: 'Ev2', event: echo }), { signingSecret });
    expect(seen).toEqual(['message:Hi']);
  });

  it('a bad signature is rejected with 401 and nothing runs', async () => {
    const body = eventCallbackBody({ eventId: 'Ev3', event: threadReplyEvent({ text: 'forged', threadTs: '1.1' }) });
    const res = await postSigned(url, body, { signingSecret: 'wrong-secret' });
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('url_verification, slash commands and block_actions are acknowledged', async () => {
    const challenge = await postSigned(url, urlVerificationBody('ch4ll3nge'), { signingSecret });
    expect(challenge).toMatchObject({ status: 200 });
    expect(challenge.text).toContain('ch4ll3nge');
    expect((await postSigned(url, slashCommandBody({ command: '/solodesk', text: 'status' }), { signingSecret })).status).toBe(200);
    expect((await postSigned(url, blockActionsBody({ actionId: 'resolve', value: 'T-1' }), { signingSecret })).status).toBe(200);
    expect(seen).toEqual(['command:status', 'action:block_actions']);
  });
});
