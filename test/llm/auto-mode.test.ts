import { afterEach, describe, expect, it } from 'vitest';
import { handleFounderMessage } from '../../src/core/founder/founder-message.ts';
import type { CoreSettings } from '../../src/core/inbound-pipeline.ts';
import type { FounderNotice } from '../../src/core/ports.ts';
import type { ArticleView } from '../../src/kb/knowledge-base.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';
import { ATTACKS, draftJson, startDrafterHarness, type DrafterHarness } from './drafter-harness.ts';

// The LLM through the whole pipeline: the real drafter (openai client → the fake server over HTTP),
// the real core and a real database. The KB here never answers by itself (thresholds above 1), so
// every question is one the founder would get: what the LLM adds is the only thing under test.

let llm: DrafterHarness;
let desk: TestDesk;
let customer: RecordingSender;
let founder: RecordingSender;
let shipping: ArticleView;
let pro: ArticleView;

afterEach(async () => {
  await desk?.dispose();
  await llm?.close();
});

async function start(mode: CoreSettings['llmMode'], options: { dailyTokens?: number } = {}): Promise<void> {
  llm = await startDrafterHarness(options);
  customer = new RecordingSender('test');
  founder = new RecordingSender('founder');
  desk = await createTestDesk({
    senders: [customer, founder],
    drafter: llm.drafter,
    settings: { llmMode: mode },
    thresholds: { answer: 1.01, suggest: 1.01 },
  });
  shipping = await desk.kb.create({
    title: 'Shipping times and costs',
    body: 'Orders ship within 2 business days. Standard shipping costs $5 and is free on orders over $50. Track your parcel at https://shop.example.com/track.',
    status: 'published',
  }, 'test');
  pro = await desk.kb.create({ title: 'The Pro plan', body: 'The Pro plan costs $29 per month.', status: 'published' }, 'test');
}

let seq = 0;
async function ask(text: string, chat = `chat-${++seq}`): Promise<{ outcome?: string; conversationId?: string }> {
  return desk.decided(await desk.core.handleInbound({ channel: 'test', externalUserId: chat, externalChatId: chat, platformMessageId: `m-${++seq}`, text }));
}

type Notice<T extends FounderNotice['type']> = Extract<FounderNotice, { type: T }>;
const noticesOf = <T extends FounderNotice['type']>(type: T): Array<Notice<T>> =>
  founder.notices().filter((n): n is Notice<T> => n.type === type);

async function auditRows(action: string) {
  return desk.database.db.prisma.auditLog.findMany({ where: { action }, orderBy: { createdAt: 'asc' } });
}

describe('LLM_MODE=auto', () => {
  it('sends a supported draft that cites a provided article, with 👍/👎; the founder sees it labelled, with its sources', async () => {
    await start('auto');
    const answer = 'Orders ship within 2 business days, and shipping is free on orders over $50.';
    llm.ai.reply(draftJson(answer, [shipping.id]));

    const result = await ask('how fast do you send parcels?');

    expect(result.outcome).toBe('auto_answer');
    const sent = customer.delivered.filter((d) => d.payload.type === 'customer_message');
    expect(customer.texts()).toEqual([answer]);
    const buttons = sent[0]!.payload.type === 'customer_message' ? sent[0]!.payload.message.buttons ?? [] : [];
    expect(buttons.map((b) => b.label)).toEqual(['👍', '👎']);
    expect(noticesOf('auto_answer')).toEqual([
      expect.objectContaining({ answer, question: 'how fast do you send parcels?', sources: [{ slug: shipping.slug, title: shipping.title }] }),
    ]);
    expect(noticesOf('escalation')).toEqual([]);
    const conversation = await desk.database.db.prisma.conversation.findUniqueOrThrow({ where: { id: result.conversationId! } });
    expect(conversation.status).toBe('answered');
    // Token usage is in the audit log, per request.
    const [audit] = await auditRows('llm.auto_answer');
    expect((audit!.details as { tokens: number }).tokens).toBeGreaterThan(0);

    // 👎 on an LLM answer hands the conversation to the founder, like 👎 on an article.
    await desk.decided(await desk.core.handleAction({ channel: 'test', externalUserId: `chat-${seq - 1}`, externalChatId: `chat-${seq - 1}`, action: buttons[1]!.action, platformEventId: 'press-1' }));
    expect(noticesOf('escalation').map((n) => n.reason)).toEqual(['customer_rejected_answer']);
  });

  it('rejects a citation of an article that was not provided: the founder gets the draft and why', async () => {
    await start('auto');
    llm.ai.reply(draftJson('Shipping is free on orders over $50.', ['an-article-it-made-up']));

    const result = await ask('how fast do you send parcels?');

    expect(result.outcome).toBe('escalate');
    expect(customer.texts()).not.toContain('Shipping is free on orders over $50.');
    const [escalation] = noticesOf('escalation');
    expect(escalation).toMatchObject({ reason: 'kb_unsure', draft: 'Shipping is free on orders over $50.', draftSources: [] });
    expect(escalation!.notSentBecause).toContain('cites articles not provided: an-article-it-made-up');
  });

  it.each([
    ['an invented price', 'Standard shipping costs $7.', 'invented price/number: 7'],
    ['an invented link', 'Track it at https://evil.example.net/track.', 'invented link'],
  ])('demotes an answer with %s to a draft for the founder', async (_what, answer, why) => {
    await start('auto');
    llm.ai.reply(draftJson(answer, [shipping.id]));

    expect((await ask('how much is shipping?')).outcome).toBe('escalate');

    expect(customer.texts()).not.toContain(answer);
    const [escalation] = noticesOf('escalation');
    expect(escalation).toMatchObject({ draft: answer, draftSources: [{ slug: shipping.slug, title: shipping.title }] });
    expect(escalation!.notSentBecause).toContain(why);
  });

  it('never answers alone when a person is asked for, however good the draft', async () => {
    await start('auto');
    llm.ai.reply(draftJson('Orders ship within 2 business days.', [shipping.id]));

    expect((await ask('I want to talk to a human about shipping')).outcome).toBe('escalate');

    expect(noticesOf('escalation')).toEqual([
      expect.objectContaining({ reason: 'human_requested', draft: 'Orders ship within 2 business days.', notSentBecause: 'the customer asked for a person' }),
    ]);
  });

  it('five prompt-injection attempts, English and Chinese, obeyed by the model, still reach the founder and nothing it wrote reaches the customer', async () => {
    await start('auto');
    let attack = ATTACKS[0]!;
    // The worst case: the model does what the customer says, and even cites a real article.
    llm.ai.reply(() => draftJson(attack.obeyed, [pro.id], true, attack.language));

    const outcomes: Array<string | undefined> = [];
    for (attack of ATTACKS) outcomes.push((await ask(attack.question)).outcome);

    expect(outcomes).toEqual(ATTACKS.map(() => 'escalate'));
    expect(noticesOf('auto_answer')).toEqual([]);
    for (const a of ATTACKS) expect(customer.texts().join('\n')).not.toContain(a.obeyed);
    // Each reached the founder with the model's text as a draft to judge (or with none, where no
    // article matched and the LLM was not asked).
    const drafts = noticesOf('escalation').map((n) => n.draft);
    drafts.forEach((draft, i) => expect([undefined, ATTACKS[i]!.obeyed]).toContain(draft));
    expect(drafts.filter((d) => d !== undefined).length).toBeGreaterThanOrEqual(3);
  });

  it('asks the LLM only for what would reach the founder: a follow-up in an escalated conversation costs no tokens', async () => {
    await start('auto');
    llm.ai.reply(draftJson('It ships in 2 business days.', [shipping.id], false));
    await ask('my parcel is late', 'chat-late');
    await ask('it was ordered last week', 'chat-late');

    expect(llm.ai.chatRequests()).toHaveLength(1);
    expect(noticesOf('customer_followup')).toHaveLength(1);
  });
});

describe('when the LLM is unavailable', () => {
  it('a timeout escalates as if there were no LLM, and the founder is told once that day', async () => {
    await start('auto');
    let release: () => void = () => undefined;
    llm.ai.reply(() => new Promise<string>((resolve) => { release = () => resolve(draftJson('late', [shipping.id])); }));

    const first = desk.core.handleInbound({ channel: 'test', externalUserId: 'slow', externalChatId: 'slow', platformMessageId: 'slow-1', text: 'how fast do you send parcels?' });
    const draining = first.then(() => desk.drain());
    await llm.ai.waitFor((c) => c.path === '/v1/chat/completions');
    llm.clock.advance(20_000);
    await draining;
    release();

    expect(noticesOf('escalation')).toEqual([expect.objectContaining({ reason: 'kb_unsure' })]);
    expect(noticesOf('escalation')[0]!.draft).toBeUndefined();
    expect(customer.texts()).toHaveLength(1);
    expect(noticesOf('channel_event').map((n) => n.event)).toEqual([expect.objectContaining({ channel: 'llm', event: 'llm_unavailable' })]);
    expect(noticesOf('channel_event')[0]!.event.detail).toContain('did not answer in time');
  });

  it('a spent budget stops the drafts; the founder is told once, not per message, and every question still reaches them', async () => {
    await start('draft', { dailyTokens: 1 });
    llm.ai.reply(draftJson('Orders ship within 2 business days.', [shipping.id]));

    await ask('how fast do you send parcels?');
    await ask('what does shipping cost?');
    await ask('can I track my parcel?');

    expect(llm.ai.chatRequests()).toHaveLength(1);
    expect(noticesOf('escalation').map((n) => n.draft)).toEqual(['Orders ship within 2 business days.', undefined, undefined]);
    const told = noticesOf('channel_event');
    expect(told).toHaveLength(1);
    expect(told[0]!.event.detail).toContain('LLM_DAILY_TOKENS');
    expect((await auditRows('llm.unavailable')).map((r) => (r.details as { reason: string }).reason)).toEqual(['budget', 'budget']);
  });
});

describe('LLM_MODE=draft: the founder sends the draft', () => {
  it('`!send` sends the draft as the founder\'s reply, once; a second `!send` is told there is none', async () => {
    await start('draft');
    llm.ai.reply(draftJson('Orders ship within 2 business days.', [shipping.id]));
    const { conversationId } = await ask('how fast do you send parcels?');
    // Draft mode never sends alone, however grounded the draft.
    expect(customer.texts()).toHaveLength(1);
    expect(noticesOf('escalation')[0]).toMatchObject({ draft: 'Orders ship within 2 business days.', draftSources: [{ slug: shipping.slug, title: shipping.title }] });
    expect(noticesOf('escalation')[0]!.notSentBecause).toBeUndefined();

    const send = (id: string) => handleFounderMessage(desk.core.founder, { conversationId: conversationId!, text: '!send', founder: 'test:founder', platformMessageId: id });
    expect(await send('f-1')).toEqual({ kind: 'draft_sent' });
    expect(await send('f-1')).toEqual({ kind: 'already_sent' });
    expect(await send('f-2')).toMatchObject({ kind: 'failed', reason: expect.stringContaining('no draft') });
    await desk.drain();

    expect(customer.texts().slice(1)).toEqual(['Orders ship within 2 business days.']);
    const reply = await desk.database.db.prisma.message.findFirstOrThrow({ where: { conversationId, author: 'founder' } });
    expect(reply.authorRef).toBe('test:founder');
    expect(await auditRows('conversation.send_draft')).toHaveLength(1);
  });

  it('no secret, founder note or other customer\'s words is in any request the LLM server received', async () => {
    await start('draft');
    llm.ai.reply(draftJson('Orders ship within 2 business days.', [shipping.id]));
    const other = await ask('my order 55-7781 for Ms Petrova is late', 'chat-other');
    await desk.core.founder.note({ conversationId: other.conversationId!, text: 'note: card ends 4242, VIP, refund approved', founder: 'test:founder' });
    const mine = await ask('how fast do you send parcels?', 'chat-mine');
    await desk.core.founder.note({ conversationId: mine.conversationId!, text: 'note: internal margin 61%', founder: 'test:founder' });
    await ask('and is it tracked?', 'chat-mine-2');

    const bodies = llm.ai.calls.map((c) => JSON.stringify(c.body));
    expect(bodies).toHaveLength(3);
    for (const body of bodies) {
      expect(body).not.toContain('sk-harness-key');
      expect(body).not.toContain('4242');
      expect(body).not.toContain('margin 61%');
    }
    expect(bodies.slice(1).join('')).not.toContain('Petrova');
  });
});
