import { describe, expect, it } from 'vitest';
import {
  parseKbCommand, parseQuestions, parseTags, routeMessageEvent, slackTextToPlain, toInboundMessage, viewValue, type SlackRouting,
} from '../../../src/adapters/slack/parse.ts';
import { InboundMessageSchema } from '../../../src/core/messages.ts';
import {
  botMessageEvent, channelMessageEvent, dmMessageEvent, fileShareReplyEvent, messageChangedEvent, slackFile, threadBroadcastEvent, threadReplyEvent,
} from '../../fixtures/slack/events.ts';

const routing: SlackRouting = { founderChannel: 'CFOUNDER', founderUsers: ['UFOUNDER'], botUserId: 'UBOT', botId: 'BBOT' };

describe('routeMessageEvent', () => {
  it('a founder reply in a founder-channel thread is a founder thread reply', () => {
    const event = threadReplyEvent({ text: 'Try again now', channel: 'CFOUNDER', threadTs: '1767224888.280449', ts: '1767224901.701849' });
    expect(routeMessageEvent(event, routing)).toEqual({
      kind: 'founder_thread_reply', channel: 'CFOUNDER', threadTs: '1767224888.280449', ts: '1767224901.701849', user: 'UFOUNDER', text: 'Try again now', files: [],
    });
  });

  it('a founder thread reply with files (file_share, with or without text) or sent to the channel too (thread_broadcast) is still a reply', () => {
    const withFile = fileShareReplyEvent({
      text: 'Invoice attached', channel: 'CFOUNDER', threadTs: '1.1', ts: '2.2',
      files: [slackFile({ id: 'F1', name: 'invoice.pdf', size: 100 }), slackFile({ id: 'F2', name: 'shot.png', mimetype: 'image/png' })],
    });
    expect(routeMessageEvent(withFile, routing)).toMatchObject({
      kind: 'founder_thread_reply', text: 'Invoice attached',
      files: [{ kind: 'document', fileRef: 'slack:F1', name: 'invoice.pdf', size: 100 }, { kind: 'photo', fileRef: 'slack:F2', name: 'shot.png' }],
    });
    const fileOnly = fileShareReplyEvent({ text: '', channel: 'CFOUNDER', threadTs: '1.1', ts: '3.3', files: [slackFile({ id: 'F3', name: 'a.txt' })] });
    expect(routeMessageEvent(fileOnly, routing)).toMatchObject({ kind: 'founder_thread_reply', text: '', files: [{ fileRef: 'slack:F3' }] });
    const broadcast = threadBroadcastEvent({ text: 'Fixed', channel: 'CFOUNDER', threadTs: '1.1', ts: '4.4' });
    expect(routeMessageEvent(broadcast, routing)).toMatchObject({ kind: 'founder_thread_reply', text: 'Fixed', threadTs: '1.1', files: [] });
  });

  it('a message event Slack could not have sent is invalid (recorded, never retried), naming only the fields', () => {
    expect(routeMessageEvent({ ...dmMessageEvent({ text: 'x' }), text: 42 }, routing)).toEqual({ kind: 'invalid', reason: 'malformed message event (text)' });
    expect(routeMessageEvent({ type: 'message', user: 'U1', text: 'secret words' }, routing)).toEqual({ kind: 'invalid', reason: 'malformed message event (ts, channel)' });
    expect(routeMessageEvent({ ...dmMessageEvent({ text: 'x' }), ts: 'yesterday' }, routing)).toMatchObject({ kind: 'invalid' });
  });

  it('in the founder channel: top-level messages, other users, bots, edits and other subtypes are ignored', () => {
    const cases = [
      channelMessageEvent({ text: 'hi', channel: 'CFOUNDER' }),
      threadReplyEvent({ text: 'hi', channel: 'CFOUNDER', threadTs: '1.1', user: 'UOTHER' }),
      // thread_ts === ts: the root of a thread, not a reply
      threadReplyEvent({ text: 'hi', channel: 'CFOUNDER', threadTs: '2.2', ts: '2.2' }),
      botMessageEvent({ text: 'hi', channel: 'CFOUNDER', threadTs: '1.1' }),
      botMessageEvent({ text: 'hi', channel: 'CFOUNDER', threadTs: '1.1', asAppBot: true }),
      messageChangedEvent({ ts: '3.3', newText: 'edited', oldText: 'old', channel: 'CFOUNDER', threadTs: '1.1' }),
      { ...threadReplyEvent({ text: 'x', channel: 'CFOUNDER', threadTs: '1.1' }), subtype: 'message_deleted' },
      { ...threadReplyEvent({ text: 'x', channel: 'CFOUNDER', threadTs: '1.1' }), subtype: 'channel_join' },
      // A broadcast or a file by someone who is not a founder is not a founder reply either.
      threadBroadcastEvent({ text: 'x', channel: 'CFOUNDER', threadTs: '1.1', user: 'UOTHER' }),
      fileShareReplyEvent({ text: '', channel: 'CFOUNDER', threadTs: '1.1', user: 'UOTHER', files: [slackFile({ id: 'F1', name: 'a' })] }),
    ];
    for (const event of cases) expect(routeMessageEvent(event, routing).kind).toBe('ignore');
  });

  it('a DM from a non-founder and a message in another channel are customer messages', () => {
    const dm = routeMessageEvent(dmMessageEvent({ text: 'How do I reset my password?', user: 'UCUST', channel: 'D42', ts: '5.5' }), routing);
    expect(dm).toMatchObject({ kind: 'customer', channel: 'D42', user: 'UCUST', direct: true, threadTs: undefined });
    const shared = routeMessageEvent(channelMessageEvent({ text: 'Invoice?', user: 'UCUST', channel: 'CSHARED', ts: '6.6' }), routing);
    expect(shared).toMatchObject({ kind: 'customer', channel: 'CSHARED', direct: false });
  });

  it('founders writing elsewhere, bots, our own echo and edits are not customer messages', () => {
    expect(routeMessageEvent(dmMessageEvent({ text: 'hi', user: 'UFOUNDER' }), routing)).toMatchObject({ kind: 'ignore', reason: 'founder DM' });
    expect(routeMessageEvent(botMessageEvent({ text: 'x', channel: 'CSHARED' }), routing).kind).toBe('ignore');
    expect(routeMessageEvent(botMessageEvent({ text: 'x', channel: 'D1', channelType: 'im', asAppBot: true }), routing).kind).toBe('ignore');
    expect(routeMessageEvent({ ...dmMessageEvent({ text: 'x' }), user: 'UBOT' }, routing).kind).toBe('ignore');
    expect(routeMessageEvent(messageChangedEvent({ ts: '1.1', newText: 'b', oldText: 'a', channel: 'D1', channelType: 'im' }), routing).kind).toBe('ignore');
    expect(routeMessageEvent({ type: 'reaction_added' }, routing).kind).toBe('ignore');
  });

  it('a customer file share keeps the files as attachments (references, never bytes)', () => {
    const event = {
      ...dmMessageEvent({ text: 'see screenshot', user: 'UCUST' }),
      subtype: 'file_share',
      files: [{ id: 'F1', name: 'shot.png', mimetype: 'image/png', size: 1200 }],
    };
    const routed = routeMessageEvent(event, routing);
    expect(routed).toMatchObject({ kind: 'customer', files: [{ kind: 'photo', fileRef: 'slack:F1', name: 'shot.png', size: 1200, mimeType: 'image/png' }] });
  });
});

describe('toInboundMessage', () => {
  it('builds a valid InboundMessage: platform id channel:ts, thread = thread_ts ?? ts in channels', () => {
    const routed = routeMessageEvent(channelMessageEvent({ text: 'a &lt;b&gt; &amp; c', user: 'UCUST', channel: 'CSHARED', ts: '1767224901.701849' }), routing);
    if (routed.kind !== 'customer') throw new Error('expected a customer message');
    const input = toInboundMessage(routed, { displayName: 'Ann' }, { raw: true });
    const parsed = InboundMessageSchema.parse(input);
    expect(parsed).toMatchObject({
      channel: 'slack', externalUserId: 'UCUST', externalChatId: 'CSHARED', platformMessageId: 'CSHARED:1767224901.701849',
      threadId: '1767224901.701849', text: 'a <b> & c', sender: { displayName: 'Ann' },
    });
    expect(parsed.sentAt.getTime()).toBe(1767224901702);
  });

  it('in a DM, replies go in a thread only when the customer wrote in one', () => {
    const flat = routeMessageEvent(dmMessageEvent({ text: 'hi', user: 'UCUST', ts: '7.7' }), routing);
    const threaded = routeMessageEvent({ ...dmMessageEvent({ text: 'hi', user: 'UCUST', ts: '8.8' }), thread_ts: '7.7' }, routing);
    if (flat.kind !== 'customer' || threaded.kind !== 'customer') throw new Error('expected customer messages');
    expect(toInboundMessage(flat, {}, null).threadId).toBeUndefined();
    expect(toInboundMessage(threaded, {}, null).threadId).toBe('7.7');
  });
});

describe('slackTextToPlain', () => {
  it('turns Slack references and escapes into readable text', () => {
    expect(slackTextToPlain('See <https://example.com/docs|the docs> or <https://example.com>')).toBe('See the docs (https://example.com/docs) or https://example.com');
    expect(slackTextToPlain('<mailto:a@b.c|a@b.c> &lt;tag&gt; &amp;amp;')).toBe('a@b.c <tag> &amp;');
    expect(slackTextToPlain('hi <@U123> in <#C9|general>, <!here> <!subteam^S1|@support>')).toBe('hi @U123 in #general, @here @support');
  });
});

describe('commands and forms', () => {
  it('parses /kb sub-commands, tags and questions', () => {
    expect(parseKbCommand('  SEARCH  reset password ')).toEqual({ sub: 'search', rest: 'reset password' });
    expect(parseKbCommand('')).toEqual({ sub: 'help', rest: '' });
    expect(parseTags(' Billing, account,,billing ')).toEqual(['billing', 'account']);
    expect(parseQuestions('How do I pay?\n\n- Can I pay by card?\nHow do I pay?')).toEqual(['How do I pay?', 'Can I pay by card?']);
  });

  it('reads inputs and selects from view state', () => {
    const values = { title: { value: { type: 'plain_text_input', value: 'T' } }, status: { value: { type: 'static_select', selected_option: { value: 'published' } } } };
    expect(viewValue(values, 'title', 'value')).toBe('T');
    expect(viewValue(values, 'status', 'value')).toBe('published');
    expect(viewValue(values, 'tags', 'value')).toBeUndefined();
  });
});
