import { describe, expect, it } from 'vitest';
import { formatBenchmarkSummary, metricsJsonLine, percentile, runDecisionBenchmark } from '../../../src/kb/bench/index.ts';
import type { BenchmarkDecision } from '../../../src/kb/bench/metrics.ts';
import { wordVectorsNote } from '../../../src/kb/bench/summary.ts';

// Only what the benchmark reads; the decision's other fields (which are still growing) are left out.
const decision = (d: Pick<BenchmarkDecision, 'outcome' | 'confidence' | 'candidates' | 'articleId' | 'suggestions'> & Partial<BenchmarkDecision>): BenchmarkDecision =>
  ({ suggestConfidence: d.confidence, ...d }) as BenchmarkDecision;
const answer = (id: string, expectedPrecision?: number | null): BenchmarkDecision =>
  decision({ outcome: 'answer', confidence: 0.9, candidates: [{ articleId: id, score: 1, confidence: 0.9 }], articleId: id, suggestions: [], ...(expectedPrecision !== undefined ? { expectedPrecision } : {}) });
const suggest = (ids: string[]): BenchmarkDecision => decision({ outcome: 'suggest', confidence: 0.4, candidates: ids.map((articleId) => ({ articleId, score: 0.5, confidence: 0.3 })), articleId: null, suggestions: ids });
const escalate = (top?: string, expectedPrecision?: number | null): BenchmarkDecision =>
  decision({ outcome: 'escalate', confidence: 0.1, candidates: top ? [{ articleId: top, score: 0.1, confidence: 0.1 }] : [], articleId: null, suggestions: [], ...(expectedPrecision !== undefined ? { expectedPrecision } : {}) });

// 6 in scope (a×4, b×2), 2 out of scope
const script: Array<{ text: string; expected: string | null; d: BenchmarkDecision }> = [
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
    expect(m).toMatchObject({ queries: 0, precision: null, coverage: 0, oos_escalation: 0, top1: 0, suggest_hit: 0, self_service: 0, oos_suggested: 0, p50_ms: 0, p99_ms: 0 });
  });

  it('has no precision, not 0 %, when nothing was answered', async () => {
    const m = await runDecisionBenchmark({ queries: script, decideQuery: () => escalate('a'), learn: { teach: () => undefined } });
    expect(m.answered).toBe(0);
    expect(m.precision).toBeNull();
    expect(m.learning_curve?.every((p) => p.precision === null)).toBe(true);
    const json = JSON.parse(metricsJsonLine(m)) as Record<string, unknown>;
    expect(json).toHaveProperty('precision', null);
    const text = formatBenchmarkSummary(m).join('\n');
    expect(text).toMatch(/precision {11}– {3}answers/);
    expect(text).not.toMatch(/precision {11}0\.0%/);
  });

  it("averages the decisions' expected precision over the answered queries", async () => {
    const promised: Record<string, BenchmarkDecision> = {
      q1: answer('a', 0.9),
      q2: answer('b', 0.7),
      q3: escalate('a', 0.2), // not answered: its estimate is not a promise about answers
    };
    const queries = [
      { text: 'q1', expected: 'a' },
      { text: 'q2', expected: 'a' },
      { text: 'q3', expected: 'a' },
    ];
    const m = await runDecisionBenchmark({ queries, decideQuery: (t) => promised[t]! });
    expect(m.expected_precision).toBeCloseTo(0.8);
    expect(m.precision).toBeCloseTo(0.5);
    expect(formatBenchmarkSummary(m).join('\n')).toMatch(/expected precision {2}80\.0% {3}what the KB's own calibration predicted/);
    expect(JSON.parse(metricsJsonLine(m))).toHaveProperty('expected_precision', m.expected_precision);

    // decisions that carry the field but answer nothing: null, printed as no value
    const none = await runDecisionBenchmark({ queries, decideQuery: () => escalate('a', null) });
    expect(none.expected_precision).toBeNull();
    expect(formatBenchmarkSummary(none).join('\n')).toMatch(/expected precision {2}– /);

    // decisions without the field: no field and no line, the JSON stays as before
    const plain = await runDecisionBenchmark({ queries, decideQuery: () => answer('a') });
    expect(plain).not.toHaveProperty('expected_precision');
    expect(formatBenchmarkSummary(plain).join('\n')).not.toContain('expected precision');
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

describe('word vectors note', () => {
  it('mentions English word vectors only for English articles', () => {
    expect(wordVectorsNote(['en'], true)).toBe('English word vectors');
    expect(wordVectorsNote(['en-GB'], false)).toMatch(/^no word vectors \(run node scripts\/word-vectors.mjs\)/);
    expect(wordVectorsNote(['zh'], true)).toBe('no word vectors for zh (English only)');
    expect(wordVectorsNote(['zh', 'en'], true)).toBe('English word vectors for the English articles; none for zh');
  });
});
