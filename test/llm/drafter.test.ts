import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRAFT_RESPONSE_FORMAT, SYSTEM_RULES } from '../../src/llm/prompt.ts';
import { ARTICLES, draftJson, startDrafterHarness, type DrafterHarness } from './drafter-harness.ts';

let h: DrafterHarness;

beforeEach(async () => {
  h = await startDrafterHarness();
});
afterEach(async () => {
  await h.close();
});

const shippingQuestion = { question: 'How long does shipping take and what does it cost?', language: 'en' as const, articles: ARTICLES };

describe('drafter: grounded drafts', () => {
  it('parses a grounded draft, keeps its citations, and lets it go alone; the usage is spent', async () => {
    h.ai.reply(draftJson('Orders ship within 2 business days; shipping is $5, free over $50. Track it at https://shop.example.com/track.', ['shipping']));
    const before = h.budget.remaining();

    const outcome = await h.drafter.draft(shippingQuestion);

    expect(outcome).toMatchObject({ kind: 'draft', citedArticleIds: ['shipping'], supported: true, autoSendable: true });
    expect(outcome).not.toHaveProperty('whyNotAuto');
    const call = h.ai.calls[0]!;
    expect(call.body.response_format).toEqual(DRAFT_RESPONSE_FORMAT);
    expect(call.body.model).toBe('gpt-4o-mini');
    const messages = h.ai.chatRequests()[0]!.messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toBe(SYSTEM_RULES);
    expect(messages[1]!.content).toContain('<article id="shipping">');
    // The fake's usage, as the server counted it, is what the budget spent.
    const tokens = outcome.kind === 'draft' ? outcome.tokens : -1;
    expect(tokens).toBeGreaterThan(100);
    expect(before - h.budget.remaining()).toBe(tokens);
  });

  it('drops a citation of an article that was not provided, and that blocks sending alone', async () => {
    h.ai.reply(draftJson('Orders ship within 2 business days.', ['shipping', 'secret-discounts']));
    const outcome = await h.drafter.draft(shippingQuestion);
    expect(outcome).toMatchObject({ kind: 'draft', citedArticleIds: ['shipping'], autoSendable: false });
    expect(outcome.kind === 'draft' ? outcome.whyNotAuto : '').toMatch(/cites articles not provided: secret-discounts/);
  });

  it('blocks an invented price', async () => {
    h.ai.reply(draftJson('The Pro plan costs $49 per month.', ['pro-plan']));
    const outcome = await h.drafter.draft({ ...shippingQuestion, question: 'How much is Pro?' });
    expect(outcome).toMatchObject({ kind: 'draft', autoSendable: false });
    expect(outcome.kind === 'draft' ? outcome.whyNotAuto : '').toMatch(/invented price\/number: 49/);
  });

  it('blocks an invented link', async () => {
    h.ai.reply(draftJson('Track your parcel at https://shop-example.support/track-now.', ['shipping']));
    const outcome = await h.drafter.draft(shippingQuestion);
    expect(outcome).toMatchObject({ kind: 'draft', autoSendable: false });
    expect(outcome.kind === 'draft' ? outcome.whyNotAuto : '').toMatch(/invented link: shop-example\.support\/track-now/);
  });

  it('sends a refund question to the founder, in English and Chinese', async () => {
    h.ai.reply(draftJson('Orders ship within 2 business days.', ['shipping']));
    const en = await h.drafter.draft({ ...shippingQuestion, question: 'My parcel is late, I want a refund.' });
    expect(en).toMatchObject({ kind: 'draft', autoSendable: false });
    expect(en.kind === 'draft' ? en.whyNotAuto : '').toMatch(/for the founder: refund/);

    h.ai.reply(draftJson('订单在2个工作日内发货。', ['shipping-zh'], true, 'zh'));
    const zh = await h.drafter.draft({ question: '包裹还没到，我要退款', language: 'zh', articles: ARTICLES });
    expect(zh).toMatchObject({ kind: 'draft', autoSendable: false });
    expect(zh.kind === 'draft' ? zh.whyNotAuto : '').toMatch(/refund/);
  });

  it('marks an unsupported answer as not sendable alone, keeping the text for the founder', async () => {
    h.ai.reply(draftJson('We will get back to you shortly.', [], false));
    const outcome = await h.drafter.draft({ ...shippingQuestion, question: 'Do you ship to Mars?' });
    expect(outcome).toMatchObject({ kind: 'draft', answer: 'We will get back to you shortly.', supported: false, autoSendable: false });
    expect(outcome.kind === 'draft' ? outcome.whyNotAuto : '').toMatch(/do not cover it.*cites no article/);
  });
});

describe('drafter: structured output', () => {
  it('falls back to JSON mode when the server refuses json_schema, and reads JSON wrapped in prose and fences', async () => {
    h.ai.failNext({ status: 400, body: { error: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", type: 'invalid_request_error', param: 'response_format', code: null } } });
    h.ai.reply(`Here is the draft:\n\`\`\`json\n${draftJson('Orders ship within 2 business days.', ['shipping'])}\n\`\`\`\nHope it helps {not json}.`);

    const outcome = await h.drafter.draft(shippingQuestion);

    expect(h.ai.calls.map((c) => c.status)).toEqual([400, 200]);
    expect(h.ai.calls[0]!.body.response_format).toMatchObject({ type: 'json_schema' });
    expect(h.ai.calls[1]!.body.response_format).toEqual({ type: 'json_object' });
    expect(outcome).toMatchObject({ kind: 'draft', citedArticleIds: ['shipping'], autoSendable: true });
  });

  it('gives invalid_output for a reply that is not a draft', async () => {
    h.ai.reply('Sure! Orders ship fast. {"answer": 42}');
    const outcome = await h.drafter.draft(shippingQuestion);
    expect(outcome).toMatchObject({ kind: 'unavailable', reason: 'invalid_output' });
    // The tokens the useless reply cost are counted: in the budget and in the outcome (the audit log's).
    const tokens = outcome.kind === 'unavailable' ? outcome.tokens : undefined;
    expect(tokens).toBeGreaterThan(0);
    expect(h.budget.remaining()).toBe(200_000 - tokens!);
  });
});

describe('drafter: failures are outcomes', () => {
  it('gives timeout when the server does not answer before the deadline (moved on the clock, not waited for)', async () => {
    let release: () => void = () => undefined;
    h.ai.reply(() => new Promise<string>((resolve) => { release = () => resolve('late'); }));
    const pending = h.drafter.draft(shippingQuestion);
    await h.ai.waitFor((c) => c.path === '/v1/chat/completions');
    expect(h.clock.pending()).toEqual([20_000]);

    h.clock.advance(20_000);

    await expect(pending).resolves.toEqual({ kind: 'unavailable', reason: 'timeout' });
    expect(h.ai.calls).toHaveLength(1);
    release();
  });

  it('gives error when the server keeps failing, after the one retry the client allows', async () => {
    h.ai.failNext({ status: 500, headers: { 'retry-after-ms': '0' } }, 2);
    await expect(h.drafter.draft(shippingQuestion)).resolves.toEqual({ kind: 'unavailable', reason: 'error' });
    expect(h.ai.calls.map((c) => c.status)).toEqual([500, 500]);
  });

  it('gives error when the key is refused, without the fallback (a 401 is not a refused format)', async () => {
    h.ai.failNext({ status: 401 });
    await expect(h.drafter.draft(shippingQuestion)).resolves.toEqual({ kind: 'unavailable', reason: 'error' });
    expect(h.ai.calls).toHaveLength(1);
  });

  it('sends nothing once the day\'s budget is spent, and drafts again the next UTC day', async () => {
    h.budget.record(200_000);
    await expect(h.drafter.draft(shippingQuestion)).resolves.toEqual({ kind: 'unavailable', reason: 'budget' });
    expect(h.ai.calls).toEqual([]);

    h.clock.advance(86_400_000);
    h.ai.reply(draftJson('Orders ship within 2 business days.', ['shipping']));
    await expect(h.drafter.draft(shippingQuestion)).resolves.toMatchObject({ kind: 'draft' });
    expect(h.ai.calls).toHaveLength(1);
  });
});
