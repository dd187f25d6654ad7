/**
 * Decision benchmark: replays queries through a decision function and computes the metrics
 * of the benchmark contract (the JSON line `bench kb` prints last) plus the suggestion metrics
 * (issue 7) and, in learn mode, a learning curve.
 *
 * Learn mode replays the stream in order as customers who pick the right suggestion when it
 * is offered; everything else that is in scope and not answered correctly (escalated,
 * suggestions without the right article, a wrong answer) goes to the founder, who saves the
 * question as an example of the right article. So `teach(expected, text)` is called for
 * in-scope queries that were picked from suggestions or not answered correctly; never for
 * out-of-scope queries, never for a query answered correctly (nobody looked at it).
 *
 * Precision is null, not 0, when nothing was answered: a KB that escalates everything has
 * made no wrong answer, and a 0 would read as "every answer was wrong".
 */
import type { KbDecision } from '../decision.ts';
import type { KbDatasetQuery } from './dataset.ts';

export interface LearningPoint {
  tenth: number;
  coverage: number;
  self_service: number;
  /** null when nothing in this tenth was answered */
  precision: number | null;
}

export interface KbBenchmarkMetrics {
  queries: number;
  in_scope: number;
  out_of_scope: number;
  answered: number;
  answered_correct: number;
  /** answered_correct / answered; null when nothing was answered */
  precision: number | null;
  coverage: number;
  oos_escalation: number;
  top1: number;
  p50_ms: number;
  p99_ms: number;
  suggested: number;
  suggest_hit: number;
  self_service: number;
  oos_suggested: number;
  /**
   * Mean of the decisions' own `expectedPrecision` over the answered queries: the precision
   * the KB's calibration promised, to set beside the precision it kept. Present only when the
   * decisions carry the field; null when no answered query had a number in it.
   */
  expected_precision?: number | null;
  /** learn mode only: the same rates per tenth of the query stream */
  learning_curve?: LearningPoint[];
  /**
   * With an LLM server configured only: tokens its embedding model counted while the KB was
   * built and the queries decided (0 without OPENAI_EMBEDDING_MODEL).
   */
  tokens?: number;
}

/** A decision, and the precision the KB expects of its answers when it says so. */
export type BenchmarkDecision = KbDecision & { expectedPrecision?: number | null };

export interface DecisionBenchmarkInput {
  queries: ReadonlyArray<Pick<KbDatasetQuery, 'text' | 'expected'>>;
  decideQuery: (text: string) => Promise<BenchmarkDecision> | BenchmarkDecision;
  learn?: { teach: (articleId: string, question: string) => Promise<void> | void };
}

/** a / b, or 0 when b is 0 */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** a / b, or null when b is 0 (a rate of nothing is no value, not 0 %) */
export function ratioOrNull(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Nearest-rank percentile of unsorted values (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

interface Tally {
  inScope: number;
  answered: number;
  correct: number;
  inScopeHits: number;
}

const emptyTally = (): Tally => ({ inScope: 0, answered: 0, correct: 0, inScopeHits: 0 });

export async function runDecisionBenchmark(input: DecisionBenchmarkInput): Promise<KbBenchmarkMetrics> {
  const { queries, decideQuery, learn } = input;
  const latencies: number[] = [];
  let inScope = 0;
  let outOfScope = 0;
  let answered = 0;
  let correct = 0;
  let oosEscalated = 0;
  let top1 = 0;
  let suggested = 0;
  let suggestHits = 0;
  let inScopeHits = 0;
  let oosSuggested = 0;
  let estimated = false;
  let expectedSum = 0;
  let expectedCount = 0;
  const tenths = Array.from({ length: 10 }, emptyTally);

  for (let i = 0; i < queries.length; i++) {
    const q = queries[i] as DecisionBenchmarkInput['queries'][number];
    const t0 = performance.now();
    const d = await decideQuery(q.text);
    latencies.push(performance.now() - t0);
    const tally = tenths[Math.min(9, Math.floor((i * 10) / queries.length))] as Tally;
    const isAnswer = d.outcome === 'answer';
    const isSuggest = d.outcome === 'suggest' && d.suggestions.length > 0;
    const promised = d.expectedPrecision;
    // a decision that says "no estimate" (null) still says the KB makes estimates
    if (promised !== undefined) estimated = true;
    if (isAnswer) {
      answered++;
      tally.answered++;
      if (typeof promised === 'number' && Number.isFinite(promised)) {
        expectedSum += promised;
        expectedCount++;
      }
    }
    if (isSuggest) suggested++;
    if (q.expected === null) {
      outOfScope++;
      if (!isAnswer) oosEscalated++;
      if (isSuggest) oosSuggested++;
      continue;
    }
    inScope++;
    tally.inScope++;
    const right = isAnswer && d.articleId === q.expected;
    const hit = isSuggest && d.suggestions.includes(q.expected);
    if (right) {
      correct++;
      tally.correct++;
    }
    if (hit) {
      suggestHits++;
      inScopeHits++;
      tally.inScopeHits++;
    }
    if (d.candidates[0]?.articleId === q.expected) top1++;
    if (learn && !right) await learn.teach(q.expected, q.text);
  }

  const metrics: KbBenchmarkMetrics = {
    queries: queries.length,
    in_scope: inScope,
    out_of_scope: outOfScope,
    answered,
    answered_correct: correct,
    precision: ratioOrNull(correct, answered),
    coverage: ratio(correct, inScope),
    oos_escalation: ratio(oosEscalated, outOfScope),
    top1: ratio(top1, inScope),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    suggested,
    suggest_hit: ratio(suggestHits, suggested),
    self_service: ratio(correct + inScopeHits, inScope),
    oos_suggested: ratio(oosSuggested, outOfScope),
  };
  if (estimated) metrics.expected_precision = ratioOrNull(expectedSum, expectedCount);
  if (learn) {
    metrics.learning_curve = tenths.map((t, i) => ({
      tenth: i + 1,
      coverage: ratio(t.correct, t.inScope),
      self_service: ratio(t.correct + t.inScopeHits, t.inScope),
      precision: ratioOrNull(t.correct, t.answered),
    }));
  }
  return metrics;
}
