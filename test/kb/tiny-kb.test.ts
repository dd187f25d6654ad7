import { describe, expect, it } from 'vitest';
import { decide } from '../../src/kb/decision.ts';
import { KbIndex } from '../../src/kb/retrieval/index.ts';

// An outside check's sample: a KB of two articles must not answer what it does not cover.
function twoArticleKb(): KbIndex {
  const index = new KbIndex();
  index.upsert({
    id: 'refunds',
    title: 'Refunds',
    body: 'We refund any charge within 30 days. Write to us and the money is back on your card within 5 business days.',
    questions: ['How do I get a refund?', 'I was charged by mistake, can I get my money back?', 'Can I cancel and get a refund?'],
    tags: [],
  });
  index.upsert({
    id: 'invoices',
    title: 'Invoices',
    body: 'Every invoice is in Settings → Billing as a PDF. Add your VAT number there before paying.',
    questions: ['Where can I download my invoice?', 'Can I get an invoice with my VAT number?'],
    tags: [],
  });
  index.prepare();
  return index;
}

describe('a KB of two articles', () => {
  const index = twoArticleKb();

  it.each(['Do you ship to Antarctica?', 'Do you have an API?', 'hello'])('escalates what it does not cover: %s', (text) => {
    const decision = decide(index, text);
    expect(decision.outcome).toBe('escalate');
    expect(decision.confidence).toBeLessThan(0.5);
  });

  it('answers a repeat of an example question', () => {
    const decision = decide(index, 'How do I get a refund?');
    expect(decision).toMatchObject({ outcome: 'answer', articleId: 'refunds', verbatim: true });
  });

  it('suggests, not answers, a paraphrase it cannot vouch for', () => {
    const decision = decide(index, 'I got charged $49 yesterday but I meant to cancel before the renewal. Can I get my money back?');
    expect(decision.outcome).toBe('suggest');
    expect(decision.suggestions[0]).toBe('refunds');
  });
});
