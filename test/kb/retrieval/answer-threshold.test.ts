import { describe, expect, it } from 'vitest';
import { chooseAnswerThreshold, lowerBound, upperBound, type ScoredProbe } from '../../../src/kb/retrieval/answer-threshold.ts';

const options = { targetPrecision: 0.95, delta: 0.1, outOfScopeShare: 0.5 };

function probes(kind: ScoredProbe['kind'], scores: number[]): ScoredProbe[] {
  return scores.map((score) => ({ score, kind }));
}

/** n scores spread evenly over [from, to). */
function spread(n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / n);
}

describe('Clopper–Pearson bounds', () => {
  it('match the closed forms at the edges', () => {
    // no event in n: the upper bound solves (1 − p)^n = α
    expect(upperBound(0, 50, 0.05)).toBeCloseTo(1 - 0.05 ** (1 / 50), 6);
    // every trial an event: the lower bound solves p^n = α
    expect(lowerBound(50, 50, 0.05)).toBeCloseTo(0.05 ** (1 / 50), 6);
    expect(upperBound(3, 3, 0.05)).toBe(1);
    expect(lowerBound(0, 10, 0.05)).toBe(0);
  });

  it('bracket the observed rate and narrow as probes grow', () => {
    const wide = [lowerBound(10, 100, 0.05), upperBound(10, 100, 0.05)];
    const narrow = [lowerBound(100, 1000, 0.05), upperBound(100, 1000, 0.05)];
    expect(wide[0]).toBeLessThan(0.1);
    expect(wide[1]).toBeGreaterThan(0.1);
    expect(narrow[1]! - narrow[0]!).toBeLessThan(wide[1]! - wide[0]!);
  });
});

describe('the answer threshold', () => {
  it('is found when many probes separate right answers from out-of-scope questions', () => {
    const chosen = chooseAnswerThreshold([...probes('right', spread(1000, 0.6, 1)), ...probes('outOfScope', spread(1000, 0, 0.5))], options);
    expect(chosen.threshold).not.toBeNull();
    expect(chosen.threshold!).toBeLessThanOrEqual(0.7);
    expect(chosen.precisionLowerBound!).toBeGreaterThanOrEqual(0.95);
    expect(chosen.expectedPrecision!).toBeGreaterThanOrEqual(chosen.precisionLowerBound!);
  });

  it('is stricter when out-of-scope probes reach higher scores', () => {
    const easy = chooseAnswerThreshold([...probes('right', spread(1000, 0.6, 1)), ...probes('outOfScope', spread(1000, 0, 0.5))], options);
    const hard = chooseAnswerThreshold([...probes('right', spread(1000, 0.6, 1)), ...probes('outOfScope', spread(1000, 0, 0.8))], options);
    expect(hard.threshold!).toBeGreaterThan(easy.threshold!);
  });

  it('is withheld when there are too few probes to vouch for 95 %, however clean they are', () => {
    const few = chooseAnswerThreshold([...probes('right', spread(20, 0.9, 1)), ...probes('outOfScope', spread(20, 0, 0.1))], options);
    expect(few).toMatchObject({ threshold: null, inScopeProbes: 20, outOfScopeProbes: 20 });
  });

  it('assumes more out-of-scope traffic means a stricter threshold', () => {
    const all = [...probes('right', spread(1000, 0.5, 1)), ...probes('wrong', spread(50, 0.3, 0.9)), ...probes('outOfScope', spread(1000, 0, 0.85))];
    const calm = chooseAnswerThreshold(all, { ...options, outOfScopeShare: 0.2 });
    const busy = chooseAnswerThreshold(all, { ...options, outOfScopeShare: 0.6 });
    expect(calm.threshold).not.toBeNull();
    expect(busy.threshold === null || busy.threshold > calm.threshold!).toBe(true);
  });
});
