/**
 * Human-readable benchmark summary, and the one-line JSON the CLI prints last. The JSON line
 * holds every contract key; the learning curve stays in the human lines (it is a list).
 */
import type { KbBenchmarkMetrics } from './metrics.ts';

/** A rate as a percentage; "–" for a rate of nothing (no answers: no precision). */
const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

export function formatBenchmarkSummary(m: KbBenchmarkMetrics, name?: string): string[] {
  const lines = [
    `KB benchmark${name ? ` — ${name}` : ''}: ${m.queries} queries (${m.in_scope} in scope, ${m.out_of_scope} out of scope)`,
    `  answered            ${m.answered} (${m.answered_correct} correct)`,
    `  precision           ${pct(m.precision)}   answers that were the right article`,
  ];
  if (m.expected_precision !== undefined) {
    lines.push(`  expected precision  ${pct(m.expected_precision)}   what the KB's own calibration predicted`);
  }
  lines.push(
    `  coverage            ${pct(m.coverage)}   in-scope questions answered correctly`,
    `  oos escalation      ${pct(m.oos_escalation)}   out-of-scope questions not answered`,
    `  top1                ${pct(m.top1)}   best-ranked article right, whatever the decision`,
    `  suggested           ${m.suggested} queries; right article in the list ${pct(m.suggest_hit)}`,
    `  self service        ${pct(m.self_service)}   answered correctly or right suggestion offered`,
    `  oos suggested       ${pct(m.oos_suggested)}   out-of-scope questions shown suggestions`,
    `  latency             p50 ${m.p50_ms.toFixed(2)} ms, p99 ${m.p99_ms.toFixed(2)} ms`,
  );
  if (m.tokens !== undefined) lines.push(`  tokens              ${m.tokens}   counted by the embedding model`);
  if (m.learning_curve) {
    lines.push('  learning curve (tenth of the stream: coverage / self service / precision)');
    for (const p of m.learning_curve) {
      lines.push(`    ${String(p.tenth).padStart(2)}  ${pct(p.coverage).padStart(6)}  ${pct(p.self_service).padStart(6)}  ${pct(p.precision).padStart(6)}`);
    }
  }
  return lines;
}

/** The metrics without the learning curve, as one JSON line (print it last). */
export function metricsJsonLine(m: KbBenchmarkMetrics): string {
  const { learning_curve: _curve, ...flat } = m;
  return JSON.stringify(flat);
}

/**
 * What the header says about word vectors. The installed vectors are English: a Chinese data
 * set is run without them whatever is installed, and the header must not suggest otherwise.
 */
export function wordVectorsNote(languages: readonly string[], installed: boolean): string {
  const english = languages.filter(isEnglish);
  const others = languages.filter((l) => !isEnglish(l));
  if (english.length === 0) return `no word vectors for ${others.join(', ') || 'this language'} (English only)`;
  const forEnglish = installed ? 'English word vectors' : 'no word vectors (run node scripts/word-vectors.mjs)';
  return others.length === 0 ? forEnglish : `${forEnglish} for the English articles; none for ${others.join(', ')}`;
}

function isEnglish(language: string): boolean {
  return /^en\b/i.test(language);
}
