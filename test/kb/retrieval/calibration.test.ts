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
  it('asks for more evidence than a mature KB would, and still answers a question it knows', () => {
    const young = build(new KbIndex());
    const asIfMature = build(new KbIndex({}, { smallKbArticles: 0 }));
    expect(young.calibration().probes).toBeGreaterThan(0);
    // near misses: on-topic words, but nothing in this KB answers them
    for (const q of ['can I pay my invoice by bank transfer', 'my parcel arrived damaged', 'how do I change my email address']) {
      expect(decide(young, q).confidence, q).toBeLessThan(decide(asIfMature, q).confidence);
    }
    expect(decide(young, 'How do I reset my password?').outcome).toBe('answer');
  });
});
