import { existsSync } from 'node:fs';
import type { Config } from '../config/env.ts';
import { openDatabase } from '../db/open-database.ts';
import { createDesk } from '../desk.ts';
import {
  formatBenchmarkSummary,
  metricsJsonLine,
  runDecisionBenchmark,
  syntheticScaleBenchmark,
  type KbDataset,
} from '../kb/bench/index.ts';
import { datasetFilesIn, readDatasetFile } from '../kb/bench/dataset-file.ts';
import { sampleKbDataset } from '../kb/bench/sample-dataset.ts';
import { articleLanguage, datasetLanguages } from '../kb/bench/dataset.ts';
import { wordVectorsNote } from '../kb/bench/summary.ts';
import { replyLanguageOf } from '../core/phrases.ts';
import type { DecisionThresholds, KbDecision } from '../kb/decision.ts';
import type { KbAnswer } from '../kb/knowledge-base.ts';
import type { Drafter } from '../llm/drafter.ts';
import type { KbHealth } from '../kb/kb-health.ts';
import { installedWordVectors } from '../kb/retrieval/word-vectors.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';

// The work of `solodesk bench kb` (bench-command.ts defines the command; this is loaded when it runs).

export interface KbBenchOptions {
  dataset?: string;
  all?: string | boolean;
  learn?: boolean;
  scale?: boolean;
}

/** Where `--all` looks, and how big the synthetic set is: the CLI's defaults; tests make them small. */
export interface KbBenchSetup {
  /** The public benchmark sets, beside the repo (not in a fresh clone). */
  sharedBench: string;
  scaleArticles: number;
}

const DEFAULT_SETUP: KbBenchSetup = { sharedBench: '../shared/bench', scaleArticles: 10_000 };

export async function runKbBench(config: Config, options: KbBenchOptions, setup: KbBenchSetup = DEFAULT_SETUP): Promise<void> {
  const datasets = datasetsToRun(options, setup.sharedBench);
  if (options.scale || options.all) {
    const articles = setup.scaleArticles;
    const scale = syntheticScaleBenchmark({ articles, queries: Math.max(1, Math.round(articles / 5)) });
    console.log(`# synthetic scale: ${articles.toLocaleString('en-US')} articles — ${JSON.stringify(scale)}`);
  }
  for (const dataset of datasets) {
    for (const learn of options.all && !options.learn ? [false, true] : [Boolean(options.learn)]) {
      await benchDataset(config, dataset, learn);
    }
  }
}

/**
 * The datasets a run measures, all read (and a missing or broken file reported) before any work.
 * `--all` without a folder takes the public sets when they are there, else what the repo has,
 * and says which in its first line.
 */
function datasetsToRun(options: KbBenchOptions, sharedBench: string): KbDataset[] {
  if (options.dataset) return [readDatasetFile(options.dataset)];
  if (typeof options.all === 'string') return datasetFilesIn(options.all).map((file) => readDatasetFile(file));
  if (!options.all) throw new Error('give --dataset <file> or --all [dir]');
  if (!existsSync(sharedBench)) {
    console.log(
      `# no benchmark sets at ${sharedBench}: running what the repo has, the synthetic scale set and the sample KB (examples/kb, each article's first example question held out)`,
    );
    return [sampleKbDataset()];
  }
  const files = datasetFilesIn(sharedBench);
  console.log(`# benchmark sets from ${sharedBench}: ${files.length} file${files.length === 1 ? '' : 's'}`);
  return files.map((file) => readDatasetFile(file));
}

const ms = (value: number): string => `${(value / 1000).toFixed(1)} s`;

function answerRule(thresholds: DecisionThresholds, health: KbHealth): string {
  if (thresholds.answer !== null) return `answers at confidence ≥ ${thresholds.answer} (KB_ANSWER_THRESHOLD)`;
  const probes = `${health.inScopeProbes} + ${health.outOfScopeProbes} probes, ${Math.round(100 * health.assumedOutOfScopeShare)} % out of scope assumed`;
  if (health.threshold === null) {
    return `no answer threshold vouched for (${probes}): ${health.answers === 'verbatim' ? 'answers verbatim repeats only' : 'never answers by itself'}`;
  }
  const bound = `${(100 * (health.precisionLowerBound ?? 0)).toFixed(1)} % with ${Math.round(100 * health.confidenceLevel)} % confidence`;
  return `the KB's own answer threshold ${health.threshold} (expected precision ${(100 * (health.expectedPrecision ?? 0)).toFixed(1)} %, at least ${bound}; ${probes})`;
}

/**
 * LLM_MODE=auto as the pipeline has it (core/decide-reply.ts): where the KB would hand the founder
 * a question it is not sure of, a draft from its three best articles that passes every grounding
 * check answers instead, as its first cited article. A benchmark has no "a person was asked for"
 * or flood, so this is the one case. The tokens it cost, whatever came of it.
 */
async function autoAnswer(drafter: Drafter, question: string, answered: KbAnswer): Promise<{ decision?: KbDecision; tokens: number } | undefined> {
  if (answered.decision.outcome !== 'escalate' || answered.ranked.length === 0) return undefined;
  const draft = await drafter.draft({
    question,
    language: replyLanguageOf(question),
    articles: answered.ranked.slice(0, 3).map((r) => ({ id: r.article.id, title: r.article.title, body: r.article.body })),
  });
  const tokens = draft.tokens ?? 0;
  if (draft.kind !== 'draft' || !draft.autoSendable || draft.citedArticleIds.length === 0) return { tokens };
  return { tokens, decision: { ...answered.decision, outcome: 'answer', articleId: draft.citedArticleIds[0]!, suggestions: [] } };
}

async function benchDataset(config: Config, dataset: KbDataset, learn: boolean): Promise<void> {
  const db = await openDatabase({ dataDir: 'memory://' });
  try {
    await db.migrate();
    // refits only by change count, never by the clock: the same data set gives the same numbers;
    // and every fit made, none installed from an earlier run (nor kept in the data folder)
    const fresh: Config = { ...config, kb: { ...config.kb, fitCacheDir: undefined } };
    const desk = createDesk({ db, config: fresh, logger: createLogger({ level: 'warn' }), metrics: createMetrics(), kb: { refitPendingAfterMs: null } });
    const started = performance.now();
    // As `kb import` does: every article in one transaction through the KB service.
    const created = await desk.kb.createMany(
      dataset.articles.map((a) => ({
        title: a.title,
        body: a.body,
        questions: [...a.questions],
        tags: [...a.tags],
        language: articleLanguage(a, dataset),
      })),
      'bench',
    );
    const articleIdOf = new Map(dataset.articles.map((a, i) => [a.id, created[i]!.id]));
    const datasetIdOf = new Map([...articleIdOf].map(([datasetId, id]) => [id, datasetId]));
    const imported = performance.now();
    await desk.kb.sync(true);
    await desk.kb.prepare();
    const ready = performance.now();
    const health = await desk.kb.health();
    const toDatasetId = (id: string | null) => (id === null ? null : (datasetIdOf.get(id) ?? id));
    let draftTokens = 0;
    const metrics = await runDecisionBenchmark({
      queries: dataset.queries,
      decideQuery: async (text) => {
        const answered = await desk.kb.decide(text);
        const llm = config.llm.mode === 'auto' && desk.drafter ? await autoAnswer(desk.drafter, text, answered) : undefined;
        draftTokens += llm?.tokens ?? 0;
        const decision = llm?.decision ?? answered.decision;
        return {
          ...decision,
          articleId: toDatasetId(decision.articleId),
          suggestions: decision.suggestions.map((id) => toDatasetId(id)!),
          candidates: decision.candidates.map((c) => ({ ...c, articleId: toDatasetId(c.articleId)! })),
        };
      },
      ...(learn
        ? {
            learn: {
              teach: async (datasetId: string, question: string) => {
                const id = articleIdOf.get(datasetId);
                if (!id) return;
                await desk.kb.addExampleQuestion(id, question, 'bench:founder');
                // The founder's save pays for the refit, not the next customer's question.
                await desk.kb.prepare();
              },
            },
          }
        : {}),
    });
    const vectors = wordVectorsNote(datasetLanguages(dataset), installedWordVectors() !== null);
    const embeddings = desk.kb.embeddingModel === null ? '' : `; embeddings ${desk.kb.embeddingModel}`;
    console.log(`\n# ${dataset.name}${learn ? ' (learn mode)' : ''} — ${vectors}${embeddings}`);
    console.log(`# ${answerRule(desk.kb.thresholds, health)}; suggests at ≥ ${desk.kb.thresholds.suggest}`);
    // Import and fit apart: a slow import is ours to fix, a slow fit is the model's.
    console.log(
      `# KB ready in ${ms(ready - started)} for ${dataset.articles.length} articles: import ${ms(imported - started)}, sync and fit ${ms(ready - imported)}`,
    );
    // The contract's line as it was, plus what the LLM server cost when one is configured (issue 16).
    const llmConfigured = config.llm.apiKey !== undefined || config.llm.baseUrl !== undefined;
    const reported = llmConfigured ? { ...metrics, tokens: desk.kb.embeddingTokens + draftTokens } : metrics;
    for (const line of formatBenchmarkSummary(reported, dataset.name)) console.log(line);
    console.log(metricsJsonLine(reported));
  } finally {
    await db.close();
  }
}
