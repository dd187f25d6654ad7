import type { KbHealth } from '../kb/kb-health.ts';
import type { ArticleView } from '../kb/knowledge-base.ts';

const percent = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** `solodesk kb health` in words a founder acts on. */
export function formatKbHealth(health: KbHealth, articles: readonly ArticleView[]): string[] {
  const slugOf = new Map(articles.map((a) => [a.id, a.slug]));
  const lines = [`${health.articles} article(s); checked with ${health.inScopeProbes} held-out example questions and ${health.outOfScopeProbes} questions of articles taken out.`];
  if (health.answers === 'threshold') {
    lines.push(
      `The bot answers by itself when its confidence is ≥ ${health.threshold}: expected precision ${percent(health.expectedPrecision ?? 0)} ` +
        `(at least ${percent(health.precisionLowerBound ?? 0)} with ${percent(health.confidenceLevel)} confidence), assuming ${percent(health.assumedOutOfScopeShare)} of questions are not covered by the KB.`,
      `At that threshold it answers about ${percent(health.expectedCoverage)} of covered questions by itself; the rest get "did you mean" suggestions or go to you.`,
    );
  } else {
    lines.push(
      health.answers === 'verbatim'
        ? 'The KB is too small to vouch for any answer by itself: the bot answers only near-verbatim repeats of an example question, and suggests or escalates the rest.'
        : `The KB's example questions cannot yet vouch for 95 % precision (assuming ${percent(health.assumedOutOfScopeShare)} of questions are not covered): the bot suggests articles and escalates, and answers by itself once more example questions back it.`,
    );
  }
  if (health.needsQuestions.length === 0) {
    lines.push('Every article has enough example questions.');
    return lines;
  }
  lines.push(`Articles that need more example questions (${health.needsQuestions.length}), worst first:`);
  for (const a of health.needsQuestions.slice(0, 20)) {
    const probes = a.probesAsked > 0 ? `, ${a.probesRight} of ${a.probesAsked} held-out questions found it` : '';
    lines.push(`  ${(slugOf.get(a.articleId) ?? a.articleId).padEnd(32)} ${a.questions} question(s)${probes} — ${a.why}: ${a.title}`);
  }
  if (health.needsQuestions.length > 20) lines.push(`  … and ${health.needsQuestions.length - 20} more`);
  return lines;
}
