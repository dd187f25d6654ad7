import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../../src/adapters/slack/blocks.ts';
import { blockActionsPayload } from '../../fixtures/slack/interactions.ts';
import { draftJson, startDrafterHarness, type DrafterHarness } from '../../llm/drafter-harness.ts';
import { channelMessageEvent } from '../../fixtures/slack/events.ts';
import { eventCallbackBody, interactivityBody, urlVerificationBody } from '../../fakes/slack-signing.ts';
import { escalateDm, FOUNDER, FOUNDER_CHANNEL, nextTs, postedTo, startSlackHarness, type SlackHarness } from './harness.ts';

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

type Any = Record<string, unknown>;

describe('Slack as a customer channel', () => {
  it('a known question is answered in the customer\'s thread of a shared channel, with buttons that come back through handleAction', async () => {
    await h.desk.kb.create({
      title: 'Reset your password', body: 'Open **Settings → Security** and press *Reset password*.',
      questions: ['How do I reset my password?', 'I forgot my password'], status: 'published',
    }, 'test');
    const ts = nextTs();
    const event = channelMessageEvent({ text: 'How do I reset my password?', user: 'UCUSTOMER', channel: 'CSHARED', ts });
    expect((await h.post(eventCallbackBody({ eventId: 'EvShared1', event }))).status).toBe(200);
    await h.drain();
    const replies = postedTo(h.fake, 'CSHARED');
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((m) => m.thread_ts === ts)).toBe(true);
    const withButtons = replies.find((m) => Array.isArray(m.blocks) && (m.blocks as Any[]).some((b) => b.type === 'actions'))!;
    const button = (withButtons.blocks as Any[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Any[])[0]!;
    expect(String(button.action_id)).toMatch(new RegExp(`^${ACTION.customerPrefix}`));

    const press = blockActionsPayload({ actionId: String(button.action_id), value: String(button.value), userId: 'UCUSTOMER', channelId: 'CSHARED', messageTs: withButtons.ts, threadTs: ts });
    expect((await h.post(interactivityBody(press))).status).toBe(200);
    expect((await h.post(interactivityBody(press))).status).toBe(200);
    const presses = await h.desk.database.db.prisma.message.findMany({ where: { platformMessageId: { startsWith: 'action:' } } });
    expect(presses).toHaveLength(1);
    expect(presses[0]?.platformMessageId).toBe(`action:CSHARED:${withButtons.ts}:${String(button.action_id)}:UCUSTOMER`);
  });

  it('messages of founders, bots and the app itself in customer channels are not customer messages', async () => {
    await h.post(eventCallbackBody({ eventId: 'EvF1', event: channelMessageEvent({ text: 'hello team', user: FOUNDER, channel: 'CSHARED', ts: nextTs() }) }));
    await h.post(eventCallbackBody({ eventId: 'EvB1', event: { type: 'message', user: 'UBOT', bot_id: 'BBOT', text: 'echo', ts: nextTs(), channel: 'CSHARED', channel_type: 'channel' } }));
    await h.drain();
    expect(await h.desk.database.db.prisma.message.count()).toBe(0);
  });

  it('answers Slack\'s url_verification challenge', async () => {
    const res = await h.post(urlVerificationBody('challenge-123'));
    expect(res.status).toBe(200);
    expect(res.text).toContain('challenge-123');
  });

  it('a body over the limit gets 413 before anything is parsed', async () => {
    const body = eventCallbackBody({ eventId: 'EvBig', event: { type: 'message', user: 'UCUSTOMER', text: 'x'.repeat(2 * 1024 * 1024), ts: nextTs(), channel: 'D1', channel_type: 'im' } });
    expect((await h.post(body)).status).toBe(413);
    await h.drain();
    expect(await h.desk.database.db.prisma.message.count()).toBe(0);
  });
});

describe('Send draft and Edit draft (LLM_MODE=draft, the real drafter against the fake OpenAI server)', () => {
  async function escalationWithDraft(): Promise<{ llm: DrafterHarness; rootTs: string; conversationId: string; draft: string }> {
    await h.close();
    const llm = await startDrafterHarness();
    // The KB never answers by itself here: the question reaches the founder, with the draft.
    h = await startSlackHarness({}, { desk: { drafter: llm.drafter, settings: { llmMode: 'draft' }, thresholds: { answer: 1.01, suggest: 1.01 } } });
    const article = await h.desk.kb.create({ title: 'Invoices and VAT', body: 'Invoices list VAT once per line. Write to billing to correct one.', status: 'published' }, 'test');
    const draft = 'Invoices list VAT once per line; we will correct yours.';
    llm.ai.reply(draftJson(draft, [article.id]));
    const { rootTs, conversationId } = await escalateDm(h, 'My invoice shows VAT twice, can you fix it?');
    return { llm, rootTs, conversationId, draft };
  }

  it('shows the draft with the articles it cites, and sends it once however often Send draft is pressed', async () => {
    const { llm, rootTs, conversationId, draft } = await escalationWithDraft();
    try {
      const root = h.roots().find((m) => m.ts === rootTs)!;
      expect(JSON.stringify(root.blocks)).toContain('Invoices and VAT');
      const payload = blockActionsPayload({ actionId: ACTION.sendDraft, value: conversationId, channelId: FOUNDER_CHANNEL, messageTs: rootTs });
      (payload.message as Any).blocks = root.blocks;
      const before = postedTo(h.fake, 'D1').length;
      expect((await h.post(interactivityBody(payload))).status).toBe(200);
      expect((await h.post(interactivityBody(payload))).status).toBe(200);
      await h.drain();
      expect(postedTo(h.fake, 'D1').slice(before).map((m) => m.text)).toEqual([draft]);
    } finally {
      await llm.close();
    }
  });

  it('Edit draft opens the draft in a modal, and what the founder submits is sent instead', async () => {
    const { llm, rootTs, conversationId, draft } = await escalationWithDraft();
    try {
      const root = h.roots().find((m) => m.ts === rootTs)!;
      const payload = blockActionsPayload({ actionId: ACTION.editDraft, value: conversationId, channelId: FOUNDER_CHANNEL, messageTs: rootTs });
      (payload.message as Any).blocks = root.blocks;
      expect((await h.post(interactivityBody(payload))).status).toBe(200);
      const opened = h.fake.callsOf('views.open').at(-1)?.payload.view as Any;
      expect(opened.private_metadata).toBe(conversationId);
      expect(JSON.stringify(opened.blocks)).toContain(draft);

      const before = postedTo(h.fake, 'D1').length;
      const edited = 'Sorry about that: the second VAT line is our mistake, a corrected invoice is on its way.';
      const submitted = await h.submitView({
        callbackId: String(opened.callback_id), privateMetadata: conversationId, viewId: 'VEDIT1',
        values: { reply: { value: { type: 'plain_text_input', value: edited } } },
      });
      expect(submitted.status).toBe(200);
      await h.drain();
      expect(postedTo(h.fake, 'D1').slice(before).map((m) => m.text)).toEqual([edited]);
      // A note typed into the modal is refused there, and nothing is sent.
      const refused = await h.submitView({
        callbackId: String(opened.callback_id), privateMetadata: conversationId, viewId: 'VEDIT2',
        values: { reply: { value: { type: 'plain_text_input', value: 'note: check the VAT setup' } } },
      });
      expect(refused.text).toContain('errors');
      await h.drain();
      expect(postedTo(h.fake, 'D1').slice(before)).toHaveLength(1);
    } finally {
      await llm.close();
    }
  });
});
