/**
 * The answer threshold of a KB, derived from the KB's own probes with a stated error instead of
 * a constant tuned on one data set ("Learn then Test", Angelopoulos et al. 2021, with
 * Clopper–Pearson bounds).
 *
 * For a threshold λ the probes give three rates: in-scope questions answered with the right
 * article (r), in-scope questions answered with a wrong one (w_in), out-of-scope questions
 * answered (w_oos). In a stream with a share π of out-of-scope questions the precision of the
 * answers is
 *
 *   precision(λ) = (1−π)·r / ((1−π)·(r + w_in) + π·w_oos)
 *
 * Each rate gets its one-sided Clopper–Pearson bound at δ/3 (r from below, the others from
 * above), so the bound on precision holds with probability ≥ 1−δ. Thresholds are tested from
 * the strictest down, stopping at the first that fails (fixed-sequence testing, so scanning a
 * grid costs no extra error); the answer threshold is the last one that passed. The sequence
 * starts at the strictest threshold that answers enough in-scope probes rightly to pass with no
 * error at all: a stricter one could not pass whatever the errors (a threshold that answers
 * next to nothing has no measurable precision), and the start depends on right answers only. Few probes (a
 * young KB) give wide bounds and so, by themselves, a careful threshold; none passing means the
 * KB does not answer on its own yet (only near-verbatim matches, see decision.ts).
 */

export interface RiskControlOptions {
  /** the precision the bot promises for the answers it sends by itself */
  targetPrecision: number;
  /** the bound holds with probability ≥ 1 − delta over the probes */
  delta: number;
  /** assumed share of out-of-scope questions in the stream (π) */
  outOfScopeShare: number;
}

export interface ScoredProbe {
  /** out-of-fold confidence of the probe's top candidate */
  score: number;
  kind: 'right' | 'wrong' | 'outOfScope';
}

export interface AnswerThreshold {
  /** answer when the confidence is at least this; null: no threshold passed */
  threshold: number | null;
  /** point estimate of the precision at the threshold, under the assumed out-of-scope share */
  expectedPrecision: number | null;
  /** the lower confidence bound of that precision */
  precisionLowerBound: number | null;
  /** share of in-scope probes answered with the right article at the threshold */
  expectedCoverage: number;
  inScopeProbes: number;
  outOfScopeProbes: number;
  /**
   * so few probes that even none of them going wrong could not vouch for the target: the KB
   * is too young for statistics (decision.ts then answers near-verbatim repeats only)
   */
  tooFewProbes: boolean;
}

/** The thresholds tested, strictest first: 0.995, 0.99, … 0.30. */
const GRID: readonly number[] = [0.995, ...Array.from({ length: 70 }, (_, i) => Math.round((0.99 - i * 0.01) * 1000) / 1000)];

function logBinomialPmf(k: number, n: number, p: number, logFactorials: Float64Array): number {
  if (p <= 0) return k === 0 ? 0 : -Infinity;
  if (p >= 1) return k === n ? 0 : -Infinity;
  return (logFactorials[n] as number) - (logFactorials[k] as number) - (logFactorials[n - k] as number) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

function binomialCdf(k: number, n: number, p: number, logFactorials: Float64Array): number {
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += Math.exp(logBinomialPmf(i, n, p, logFactorials));
  return Math.min(1, sum);
}

function logFactorialsUpTo(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) out[i] = (out[i - 1] as number) + Math.log(i);
  return out;
}

/** One-sided Clopper–Pearson upper bound of a rate with k of n: P(X ≤ k | p) = alpha. */
export function upperBound(k: number, n: number, alpha: number, logFactorials = logFactorialsUpTo(n)): number {
  if (n === 0) return 1;
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid, logFactorials) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** One-sided Clopper–Pearson lower bound: the mirror of upperBound. */
export function lowerBound(k: number, n: number, alpha: number, logFactorials = logFactorialsUpTo(n)): number {
  if (n === 0 || k === 0) return 0;
  return 1 - upperBound(n - k, n, alpha, logFactorials);
}

function precisionOf(pi: number, right: number, wrongIn: number, wrongOut: number): number {
  const answered = (1 - pi) * (right + wrongIn) + pi * wrongOut;
  return answered > 0 ? ((1 - pi) * right) / answered : 1;
}

export function chooseAnswerThreshold(probes: readonly ScoredProbe[], options: RiskControlOptions): AnswerThreshold {
  const inScope = probes.filter((p) => p.kind !== 'outOfScope');
  const outOfScope = probes.filter((p) => p.kind === 'outOfScope');
  const nIn = inScope.length;
  const nOut = outOfScope.length;
  const none: AnswerThreshold = {
    threshold: null,
    expectedPrecision: null,
    precisionLowerBound: null,
    expectedCoverage: 0,
    inScopeProbes: nIn,
    outOfScopeProbes: nOut,
    tooFewProbes: false,
  };
  if (nIn === 0 || nOut === 0) return { ...none, tooFewProbes: true };
  const alpha = options.delta / 3;
  const pi = options.outOfScopeShare;
  const factorials = logFactorialsUpTo(Math.max(nIn, nOut));
  // With no error of either kind, this many right answers are needed to pass; none at all
  // passing (needed > nIn) means the probes are too few for any threshold.
  const noWrongIn = upperBound(0, nIn, alpha, factorials);
  const noWrongOut = upperBound(0, nOut, alpha, factorials);
  const errorFreeAt = (right: number): number => precisionOf(pi, lowerBound(right, nIn, alpha, factorials), noWrongIn, noWrongOut);
  // the bound grows with right answers: binary search for the fewest that pass
  let lo = 0;
  let hi = nIn + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (mid <= nIn && errorFreeAt(mid) >= options.targetPrecision) hi = mid;
    else lo = mid + 1;
  }
  const needed = lo;
  if (needed > nIn) return { ...none, tooFewProbes: true };
  let passed: AnswerThreshold = none;
  for (const lambda of GRID) {
    let right = 0;
    let wrongIn = 0;
    for (const p of inScope) {
      if (p.score < lambda) continue;
      if (p.kind === 'right') right++;
      else wrongIn++;
    }
    let wrongOut = 0;
    for (const p of outOfScope) if (p.score >= lambda) wrongOut++;
    if (right < needed && passed === none) continue;

    const bound = precisionOf(
      pi,
      lowerBound(right, nIn, alpha, factorials),
      upperBound(wrongIn, nIn, alpha, factorials),
      upperBound(wrongOut, nOut, alpha, factorials),
    );
    if (bound < options.targetPrecision) break;
    passed = {
      threshold: lambda,
      expectedPrecision: precisionOf(pi, right / nIn, wrongIn / nIn, wrongOut / nOut),
      precisionLowerBound: bound,
      expectedCoverage: right / nIn,
      inScopeProbes: nIn,
      outOfScopeProbes: nOut,
      tooFewProbes: false,
    };
  }
  return passed;
}
