import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileShareReplyEvent, messageChangedEvent, slackFile, threadBroadcastEvent } from '../../fixtures/slack/events.ts';
import { eventCallbackBody } from '../../fakes/slack-signing.ts';
import { escalateDm, FOUNDER, FOUNDER_CHANNEL, nextTs, postedTo, startSlackHarness, type SlackHarness } from './harness.ts';

// Issue 11: founder thread replies with files (`file_share`) or sent to the channel too
// (`thread_broadcast`) used to be dropped without a word. Text is relayed; files are not (the
// customer's app gets no Slack files), and the founder is told so in the thread.

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

/** What the founder sent (or tried to send): notes are not in it. */
const founderMessages = (conversationId: string) =>
  h.desk.database.db.prisma.message.findMany({ where: { conversationId, author: 'founder', kind: { not: 'note' } }, orderBy: { createdAt: 'asc' } });

/** Thread messages that tell the founder a file did not go out. */
const filesNotices = (rootTs: string) => h.inThread(rootTs).filter((m) => String(m.text).includes('not sent to the customer'));

/** A founder's thread reply that is only files, no text. */
function filesOnlyReply(rootTs: string, ts: string): Record<string, unknown> {
  return fileShareReplyEvent({
    text: '', threadTs: rootTs, ts, channel: FOUNDER_CHANNEL, user: FOUNDER,
    files: [slackFile({ id: 'F0SHOT1', name: 'screenshot.png', mimetype: 'image/png' }), slackFile({ id: 'F0LOG1', name: 'server.log', mimetype: 'text/plain' })],
  });
}

async function postFounderEvent(event: Record<string, unknown>): Promise<number> {
  return (await h.post(eventCallbackBody({ eventId: `EvF${nextTs().replace('.', '')}`, event }))).status;
}

describe('founder replies with files', () => {
  it('file_share with text: the text reaches the customer, the thread says the file did not', async () => {
    const { rootTs, conversationId } = await escalateDm(h);
    const before = postedTo(h.fake, 'D1').length;
    const event = fileShareReplyEvent({
      text: 'Here is the corrected invoice.', threadTs: rootTs, ts: nextTs(), channel: FOUNDER_CHANNEL, user: FOUNDER,
      files: [slackFile({ id: 'F0INVOICE1', name: 'invoice-1042.pdf' })],
    });
    expect(await postFounderEvent(event)).toBe(200);
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before).map((m) => m.text)).toEqual(['Here is the corrected invoice.']);
    expect((await founderMessages(conversationId)).map((m) => m.text)).toEqual(['Here is the corrected invoice.']);
    const notices = filesNotices(rootTs);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('invoice-1042.pdf');
    expect(notices[0]?.text).toContain('only text is relayed');
  });

  it('file_share without text: nothing reaches the customer, only the notice in the thread (once, even when Slack retries)', async () => {
    const { rootTs, conversationId } = await escalateDm(h);
    const before = postedTo(h.fake, 'D1').length;
    const body = eventCallbackBody({ eventId: 'EvFilesOnly1', event: filesOnlyReply(rootTs, nextTs()) });
    expect((await h.post(body)).status).toBe(200);
    expect((await h.post(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before)).toEqual([]);
    // Kept in the conversation's history as never sent (and as the redelivery's dedupe key).
    const kept = await founderMessages(conversationId);
    expect(kept).toMatchObject([{ text: '', deliveryState: 'not_applicable', attachments: [{ name: 'screenshot.png' }, { name: 'server.log' }] }]);
    expect(await h.desk.database.db.prisma.outbox.count({ where: { messageId: kept[0]!.id } })).toBe(0);
    const notices = filesNotices(rootTs);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('screenshot.png');
    expect(notices[0]?.text).toContain('server.log');
  });

  it('a files-only reply seen again under another event id (a fresh process) tells the founder once', async () => {
    const { rootTs } = await escalateDm(h);
    const event = filesOnlyReply(rootTs, nextTs());
    expect((await h.post(eventCallbackBody({ eventId: 'EvFilesOnly2', event }))).status).toBe(200);
    expect((await h.post(eventCallbackBody({ eventId: 'EvFilesOnly3', event }))).status).toBe(200);
    await h.drain();
    expect(filesNotices(rootTs)).toHaveLength(1);
  });

  it('a file in a private note stays private: nothing sent, no notice', async () => {
    const { rootTs, conversationId } = await escalateDm(h);
    const before = postedTo(h.fake, 'D1').length;
    const event = fileShareReplyEvent({
      text: 'note: the customer\'s logs', threadTs: rootTs, ts: nextTs(), channel: FOUNDER_CHANNEL, user: FOUNDER,
      files: [slackFile({ id: 'F0NOTE1', name: 'logs.txt', mimetype: 'text/plain' })],
    });
    expect(await postFounderEvent(event)).toBe(200);
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before)).toEqual([]);
    expect(await founderMessages(conversationId)).toEqual([]);
    expect(filesNotices(rootTs)).toEqual([]);
    // The note keeps its file names, and nothing can deliver it.
    const notes = await h.desk.database.db.prisma.message.findMany({ where: { conversationId, kind: 'note' }, include: { outbox: true } });
    expect(notes).toMatchObject([{ text: 'note: the customer\'s logs', attachments: [{ name: 'logs.txt' }], deliveryState: 'not_applicable', outbox: [] }]);
  });
});

describe('founder replies also sent to the channel', () => {
  it('thread_broadcast is relayed like a plain reply', async () => {
    const { rootTs, conversationId } = await escalateDm(h);
    const before = postedTo(h.fake, 'D1').length;
    const event = threadBroadcastEvent({ text: 'Fixed for everyone, sorry!', threadTs: rootTs, ts: nextTs(), channel: FOUNDER_CHANNEL, user: FOUNDER });
    expect(await postFounderEvent(event)).toBe(200);
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before).map((m) => m.text)).toEqual(['Fixed for everyone, sorry!']);
    expect(await founderMessages(conversationId)).toHaveLength(1);
    expect(h.inThread(rootTs).map((m) => m.text)).toContain('✓ founder reply delivered');
  });

  it('an edit of a broadcast reply is still not relayed', async () => {
    const { rootTs } = await escalateDm(h);
    const before = postedTo(h.fake, 'D1').length;
    const edit = messageChangedEvent({ ts: nextTs(), newText: 'edited broadcast', oldText: 'broadcast', channel: FOUNDER_CHANNEL, threadTs: rootTs });
    expect(await postFounderEvent(edit)).toBe(200);
    await h.drain();
    expect(postedTo(h.fake, 'D1').slice(before)).toEqual([]);
  });
});
