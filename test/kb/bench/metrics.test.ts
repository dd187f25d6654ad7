import { describe, expect, it } from 'vitest';
import { formatBenchmarkSummary, metricsJsonLine, percentile, runDecisionBenchmark } from '../../../src/kb/bench/index.ts';
import type { KbDecision } from '../../../src/kb/decision.ts';

const answer = (id: string): KbDecision => ({ outcome: 'answer', confidence: 0.9, candidates: [{ articleId: id, score: 1, confidence: 0.9 }], articleId: id, suggestions: [], suggestConfidence: 0.95 });
const suggest = (ids: string[]): KbDecision => ({ outcome: 'suggest', confidence: 0.4, candidates: ids.map((articleId) => ({ articleId, score: 0.5, confidence: 0.3 })), articleId: null, suggestions: ids, suggestConfidence: 0.6 });
const escalate = (top?: string): KbDecision => ({ outcome: 'escalate', confidence: 0.1, candidates: top ? [{ articleId: top, score: 0.1, confidence: 0.1 }] : [], articleId: null, suggestions: [], suggestConfidence: 0.1 });

// 6 in scope (a×4, b×2), 2 out of scope
const script: Array<{ text: string; expected: string | null; d: KbDecision }> = [
  { text: 'q1', expected: 'a', d: answer('a') }, //        correct answer, top1
  { text: 'q2', expected: 'a', d: answer('b') }, //        wrong answer
  { text: 'q3', expected: 'a', d: suggest(['b', 'a']) }, // suggestion hit
  { text: 'q4', expected: 'b', d: suggest(['a', 'c']) }, // suggestion miss
  { text: 'q5', expected: 'b', d: escalate('b') }, //      escalated, top1 right
  { text: 'q6', expected: 'a', d: escalate() }, //         escalated, no candidates
  { text: 'q7', expected: null, d: answer('a') }, //       OOS answered (wrong)
  { text: 'q8', expected: null, d: suggest(['a']) }, //    OOS suggested, escalated
];

describe('runDecisionBenchmark', () => {
  it('computes the contract metrics on a hand-computed example', async () => {
    const byText = new Map(script.map((s) => [s.text, s.d]));
    const m = await runDecisionBenchmark({ queries: script, decideQuery: (t) => byText.get(t)! });
    expect(m).toMatchObject({ queries: 8, in_scope: 6, out_of_scope: 2, answered: 3, answered_correct: 1, suggested: 3 });
    expect(m.precision).toBeCloseTo(1 / 3);
    expect(m.coverage).toBeCloseTo(1 / 6);
    expect(m.oos_escalation).toBeCloseTo(1 / 2);
    expect(m.top1).toBeCloseTo(2 / 6); // q1 and q5 (q3's top is b)
    expect(m.suggest_hit).toBeCloseTo(1 / 3);
    expect(m.self_service).toBeCloseTo(2 / 6);
    expect(m.oos_suggested).toBeCloseTo(1 / 2);
    expect(m.learning_curve).toBeUndefined();
    expect(m.p99_ms).toBeGreaterThanOrEqual(m.p50_ms);
  });

  it('guards divisions by zero', async () => {
    const m = await runDecisionBenchmark({ queries: [], decideQuery: () => escalate() });
    expect(m).toMatchObject({ queries: 0, precision: 0, coverage: 0, oos_escalation: 0, top1: 0, suggest_hit: 0, self_service: 0, oos_suggested: 0, p50_ms: 0, p99_ms: 0 });
  });

  it('in learn mode teaches picked suggestions and escalations, never OOS or correct answers', async () => {
    const byText = new Map(script.map((s) => [s.text, s.d]));
    const taught: Array<[string, string]> = [];
    const m = await runDecisionBenchmark({
      queries: script,
      decideQuery: (t) => byText.get(t)!,
      learn: { teach: (id, q) => void taught.push([id, q]) },
    });
    expect(taught).toEqual([['a', 'q2'], ['a', 'q3'], ['b', 'q4'], ['b', 'q5'], ['a', 'q6']]);
    expect(m.learning_curve).toHaveLength(10);
    expect(m.learning_curve?.map((p) => p.tenth)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // 8 queries: q1 falls in the first tenth and was answered correctly
    expect(m.learning_curve?.[0]).toMatchObject({ coverage: 1, self_service: 1, precision: 1 });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('summary', () => {
  it('prints human lines and a flat JSON line with every contract key', async () => {
    const byText = new Map(script.map((s) => [s.text, s.d]));
    const m = await runDecisionBenchmark({ queries: script, decideQuery: (t) => byText.get(t)!, learn: { teach: () => undefined } });
    const lines = formatBenchmarkSummary(m, 'tiny');
    expect(lines.join('\n')).toContain('precision');
    expect(lines.join('\n')).toContain('learning curve');
    const json = JSON.parse(metricsJsonLine(m)) as Record<string, unknown>;
    for (const k of ['queries', 'in_scope', 'out_of_scope', 'answered', 'answered_correct', 'precision', 'coverage', 'oos_escalation', 'top1', 'p50_ms', 'p99_ms', 'suggested', 'suggest_hit', 'self_service', 'oos_suggested']) {
      expect(json).toHaveProperty(k);
    }
    expect(json).not.toHaveProperty('learning_curve');
  });
});
