import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/kb/decision.ts';
import { BackgroundRefitter } from '../../../src/kb/retrieval/background-refit.ts';
import { KbIndex } from '../../../src/kb/retrieval/index.ts';
import { englishArticles } from '../fixtures.ts';

const questions = ['when does my refund arrive', 'how do I quit', 'I need a receipt', 'where is my parcel', 'zebra football'];

function indexOf(articles = englishArticles): KbIndex {
  const index = new KbIndex();
  for (const a of articles) index.upsert(a);
  return index;
}

describe('BackgroundRefitter', () => {
  it('fits in a worker thread exactly as a fit on the calling thread would', async () => {
    const background = indexOf();
    await new BackgroundRefitter(background).refit();
    const local = indexOf();
    local.prepare();
    for (const q of questions) {
      const a = decide(background, q);
      const b = decide(local, q);
      expect(a.outcome, q).toBe(b.outcome);
      expect(a.candidates.map((c) => c.articleId), q).toEqual(b.candidates.map((c) => c.articleId));
      expect(a.confidence, q).toBeCloseTo(b.confidence, 9);
    }
  });

  it('leaves the calling thread free while it fits, serving the previous fit meanwhile', async () => {
    const index = indexOf();
    const refitter = new BackgroundRefitter(index);
    await refitter.refit();
    const before = decide(index, 'when does my refund arrive');
    index.upsert({ id: 'gift-cards', title: 'Gift cards', body: '', questions: ['Can I buy a gift card?', 'Redeem a gift card code'], tags: [] });
    expect(index.needsRefit()).toBe(true);
    const events: string[] = [];
    const refit = refitter.refit().then(() => events.push('refit installed'));
    setTimeout(() => events.push('timer fired'), 0);
    // while the worker fits, decisions come from the previous fit, without waiting
    expect(decide(index, 'when does my refund arrive').candidates[0]?.articleId).toBe(before.candidates[0]?.articleId);
    await refit;
    expect(events).toEqual(['timer fired', 'refit installed']);
    expect(index.needsRefit()).toBe(false);
    expect(decide(index, 'can I buy a gift card').candidates[0]?.articleId).toBe('gift-cards');
  });

  it('folds requests made during a refit into one, and refits again if the KB moved on meanwhile', async () => {
    const index = indexOf();
    const refitter = new BackgroundRefitter(index);
    const first = refitter.refit();
    // an article the running fit's snapshot does not have
    index.upsert({ id: 'gift-cards', title: 'Gift cards', body: '', questions: ['Can I buy a gift card?'], tags: [] });
    const second = refitter.refit();
    await Promise.all([first, second]);
    expect(index.needsRefit()).toBe(false);
    expect(decide(index, 'can I buy a gift card').candidates[0]?.articleId).toBe('gift-cards');
  });
});
