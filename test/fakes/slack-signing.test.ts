import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import {
  blockActionsBody, eventCallbackBody, messageActionBody, signSlackRequest, slashCommandBody, viewSubmissionBody,
} from './slack-signing.ts';
import { appMentionEvent, dmMessageEvent, messageChangedEvent } from '../fixtures/slack/events.ts';

const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';

function verify(body: string, headers: ReturnType<typeof signSlackRequest>, secret = signingSecret, nowMilliseconds?: number): void {
  verifySlackRequest({
    signingSecret: secret,
    body,
    headers: {
      'x-slack-signature': headers['x-slack-signature'],
      'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
    },
    nowMilliseconds,
  });
}

describe('signSlackRequest against Bolt\'s own verifySlackRequest', () => {
  it('matches Slack\'s documented example signature', () => {
    // api.slack.com/authentication/verifying-requests-from-slack: the worked example.
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signSlackRequest({ body, signingSecret, timestamp: 1531420618 });
    expect(headers['x-slack-signature']).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('a fresh signature verifies; a tampered body, another secret or a stale timestamp do not', () => {
    const body = eventCallbackBody({ eventId: 'Ev1', event: dmMessageEvent({ text: 'hello' }) });
    const headers = signSlackRequest({ body, signingSecret });
    expect(headers['content-type']).toBe('application/json');
    expect(() => verify(body, headers)).not.toThrow();
    expect(() => verify(body.replace('hello', 'hellO'), headers)).toThrow(/signature mismatch/);
    expect(() => verify(body, headers, 'another-secret')).toThrow(/signature mismatch/);

    const old = signSlackRequest({ body, signingSecret, timestamp: 1_700_000_000 });
    expect(() => verify(body, old)).toThrow(/stale/);
    expect(() => verify(body, old, signingSecret, 1_700_000_000_000 + 60_000)).not.toThrow();
  });

  it('every body helper produces something Bolt accepts', () => {
    const bodies = [
      eventCallbackBody({ eventId: 'Ev2', event: appMentionEvent({ text: 'help' }) }),
      eventCallbackBody({ eventId: 'Ev3', event: messageChangedEvent({ ts: '1.1', newText: 'b', oldText: 'a' }) }),
      slashCommandBody({ command: '/solodesk', text: 'status' }),
      blockActionsBody({ actionId: 'resolve', value: 'T-1' }),
      messageActionBody({ callbackId: 'to_kb', messageTs: '1767224901.000100' }),
      viewSubmissionBody({ callbackId: 'note', values: { b: { a: { type: 'plain_text_input', value: 'x' } } } }),
    ];
    for (const body of bodies) {
      const headers = signSlackRequest({ body, signingSecret });
      expect(isValidSlackRequest({
        signingSecret, body,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
      })).toBe(true);
    }
  });

  it('interactivity bodies carry a JSON payload field with the real shape', () => {
    const form = new URLSearchParams(blockActionsBody({ actionId: 'resolve', value: 'T-1', threadTs: '1767224888.280449' }));
    const payload = JSON.parse(form.get('payload') ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'block_actions', user: { id: 'UFOUNDER' }, channel: { id: 'C1' },
      container: { thread_ts: '1767224888.280449' }, actions: [{ action_id: 'resolve', value: 'T-1' }],
    });
    const action = JSON.parse(new URLSearchParams(messageActionBody({ callbackId: 'to_kb', messageTs: '9.9' })).get('payload') ?? '{}') as Record<string, unknown>;
    expect(action).toMatchObject({ type: 'message_action', callback_id: 'to_kb', message: { ts: '9.9' } });
    const command = new URLSearchParams(slashCommandBody({ command: '/solodesk', text: 'a b' }));
    expect(Object.fromEntries(command)).toMatchObject({ command: '/solodesk', text: 'a b', team_id: 'T1', channel_id: 'C1', user_id: 'UFOUNDER' });
  });
});
