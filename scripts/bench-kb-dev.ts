/**
 * Dev loop for the KB retrieval/decision: runs the decision benchmark on the development
 * data sets (normal and, with --learn, learn mode) and the 10k-article synthetic scale test.
 *
 *   npx tsx scripts/bench-kb-dev.ts [--learn] [--no-scale] [--no-vectors] [--dataset FILE …] [--answer X --suggest Y]
 *     [--options JSON]   (ranking option overrides, e.g. '{"softmax":{"epochs":12}}')
 *     [--calibration JSON]   (calibration option overrides, e.g. '{"maxProbes":1200}')
 *     [--sub-kbs N]   (young KBs: split each data set's articles into KBs of N, every other
 *                      question out of scope; prints the pooled precision / coverage / oos_escalation)
 */
import { readFileSync } from 'node:fs';
import {
  formatBenchmarkSummary,
  indexDataset,
  metricsJsonLine,
  parseDataset,
  runDecisionBenchmark,
  syntheticScaleBenchmark,
} from '../src/kb/bench/index.ts';
import { decide, DEFAULT_THRESHOLDS, type DecisionThresholds } from '../src/kb/decision.ts';
import { DEFAULT_RANKING_OPTIONS, KbIndex, type CalibrationOptions, type RankingOptions } from '../src/kb/retrieval/index.ts';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const datasets: string[] = [];
args.forEach((a, i) => {
  if (a === '--dataset' && args[i + 1]) datasets.push(args[i + 1] as string);
});
if (datasets.length === 0) {
  datasets.push('/work/shared/bench/banking77-dev-k5-h20.json', '/work/shared/bench/banking77-dev-k20-h20.json');
}
const thresholds: DecisionThresholds = {
  answer: value('--answer') === undefined ? DEFAULT_THRESHOLDS.answer : Number(value('--answer')),
  suggest: Number(value('--suggest') ?? DEFAULT_THRESHOLDS.suggest),
};
const overrides = JSON.parse(value('--options') ?? '{}') as Partial<RankingOptions>;
const rankingOptions: Partial<RankingOptions> = {
  ...overrides,
  ...(overrides.softmax ? { softmax: { ...DEFAULT_RANKING_OPTIONS.softmax, ...overrides.softmax } } : {}),
  ...(overrides.features ? { features: { ...DEFAULT_RANKING_OPTIONS.features, ...overrides.features } } : {}),
};
const calibrationOverrides = JSON.parse(value('--calibration') ?? '{}') as Partial<CalibrationOptions>;
const modes = flag('--learn') ? [false, true] : [false];

const subKbSize = Number(value('--sub-kbs') ?? 0);
if (subKbSize > 0) {
  for (const file of datasets) {
    const full = parseDataset(readFileSync(file, 'utf8'));
    const pooled = { answered: 0, correct: 0, inScope: 0, outOfScope: 0, oosAnswered: 0, kbs: 0 };
    for (let start = 0; start + subKbSize <= full.articles.length; start += subKbSize) {
      const articles = full.articles.slice(start, start + subKbSize);
      const ids = new Set(articles.map((a) => a.id));
      const queries = full.queries.map((q) => ({ ...q, expected: q.expected !== null && ids.has(q.expected) ? q.expected : null }));
      const index = indexDataset({ ...full, articles, queries }, new KbIndex(rankingOptions, calibrationOverrides, flag('--no-vectors') ? null : undefined));
      index.prepare();
      const m = await runDecisionBenchmark({ queries, decideQuery: (text) => decide(index, text, thresholds) });
      pooled.kbs++;
      pooled.answered += m.answered;
      pooled.correct += m.answered_correct;
      pooled.inScope += m.in_scope;
      pooled.outOfScope += m.out_of_scope;
      pooled.oosAnswered += Math.round((1 - m.oos_escalation) * m.out_of_scope);
    }
    const p = pooled;
    console.log(
      `# ${full.name}: ${p.kbs} KBs of ${subKbSize} articles — precision ${(p.correct / p.answered).toFixed(3)}, coverage ${(p.correct / p.inScope).toFixed(3)}, oos_escalation ${(1 - p.oosAnswered / p.outOfScope).toFixed(3)} (${p.answered} answered)`,
    );
  }
  process.exit(0);
}

for (const file of datasets) {
  const dataset = parseDataset(readFileSync(file, 'utf8'));
  for (const learnMode of modes) {
    const index = indexDataset(dataset, new KbIndex(rankingOptions, calibrationOverrides, flag('--no-vectors') ? null : undefined));
    const t0 = performance.now();
    index.prepare();
    const prepareMs = performance.now() - t0;
    const metrics = await runDecisionBenchmark({
      queries: dataset.queries,
      decideQuery: (text) => decide(index, text, thresholds),
      ...(learnMode
        ? {
            learn: {
              teach: (articleId: string, question: string) => {
                const a = index.get(articleId);
                if (a) index.upsert({ ...a, questions: [...a.questions, question] });
                // the founder's save pays for any refit (norms, calibration), not the next customer
                index.prepare();
              },
            },
          }
        : {}),
    });
    console.log(`\n# ${dataset.name}${learnMode ? ' (learn mode)' : ''} — calibration ${prepareMs.toFixed(0)} ms, thresholds ${JSON.stringify(thresholds)}`);
    console.log(`  the KB's own answer threshold: ${JSON.stringify(index.calibration().answer)}`);
    for (const line of formatBenchmarkSummary(metrics, dataset.name)) console.log(line);
    console.log(metricsJsonLine(metrics));
  }
}

if (!flag('--no-scale')) {
  const r = syntheticScaleBenchmark({ articles: 10_000, queries: 2_000 });
  console.log('\n# synthetic scale');
  console.log(JSON.stringify(r));
}
