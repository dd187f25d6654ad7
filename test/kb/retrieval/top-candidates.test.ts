import { describe, expect, it } from 'vitest';
import { TopCandidates } from '../../../src/kb/retrieval/top-candidates.ts';

describe('TopCandidates', () => {
  it('keeps the best `capacity` offers, best first, whatever the order they come in', () => {
    const top = new TopCandidates();
    const scores = [0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8];
    top.reset(3);
    scores.forEach((s, slot) => top.offer(s, slot, s / 2, s / 3));
    expect([...top.bestFirst()]).toEqual([
      { score: 0.9, slot: 1, nearest: 0.45, centroid: 0.3 },
      { score: 0.8, slot: 6, nearest: 0.4, centroid: 0.8 / 3 },
      { score: 0.7, slot: 4, nearest: 0.35, centroid: 0.7 / 3 },
    ]);
  });

  it('starts empty on every reset and keeps nothing at capacity 0', () => {
    const top = new TopCandidates();
    top.reset(2);
    top.offer(1, 1, 0, 0);
    top.reset(2);
    top.offer(0.5, 2, 0, 0);
    expect([...top.bestFirst()].map((c) => c.slot)).toEqual([2]);
    top.reset(0);
    top.offer(1, 3, 0, 0);
    expect([...top.bestFirst()]).toEqual([]);
  });
});
