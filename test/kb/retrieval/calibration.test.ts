import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/kb/decision.ts';
import { KbIndex } from '../../../src/kb/retrieval/index.ts';
import { englishArticles } from '../fixtures.ts';

function build(index: KbIndex): KbIndex {
  for (const a of englishArticles) index.upsert(a);
  index.prepare();
  return index;
}

describe('calibration of a young KB', () => {
  it('vouches for no threshold on a handful of probes, and still answers a repeat of an example', () => {
    const young = build(new KbIndex());
    const cal = young.calibration();
    expect(cal.probes).toBeGreaterThan(0);
    expect(cal.answer.threshold).toBeNull();
    // near misses: on-topic words, but nothing in this KB answers them
    for (const q of ['can I pay my invoice by bank transfer', 'my parcel arrived damaged', 'how do I change my email address']) {
      expect(decide(young, q).outcome, q).not.toBe('answer');
    }
    expect(decide(young, 'How do I reset my password?')).toMatchObject({ outcome: 'answer', verbatim: true });
  });

  it('assumes a larger out-of-scope share gives near misses lower confidence', () => {
    const cautious = build(new KbIndex({}, { outOfScopeShare: 0.6 }));
    const trusting = build(new KbIndex({}, { outOfScopeShare: 0.2 }));
    for (const q of ['can I pay my invoice by bank transfer', 'my parcel arrived damaged']) {
      expect(decide(cautious, q).confidence, q).toBeLessThan(decide(trusting, q).confidence);
    }
  });
});
