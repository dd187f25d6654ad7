import type { Command } from 'commander';
import { runCommand } from './run-command.ts';

// `solodesk bench kb`: the dataset's articles go into a fresh KB through the same service the
// importer uses, and every query goes through the same decision the bot makes. The last line
// printed per dataset is the contract's JSON object. The dataset format is documented in the
// help below (src/kb/bench/dataset.ts checks it).

const DATASET_FORMAT = `
Dataset format (one JSON file):
  { "name": "my-set", "language": "en",
    "articles": [{ "id", "title", "body", "questions": […], "tags": […], "lang" }],
    "queries": [{ "text": "a customer question", "expected": article id, or null when it should escalate }] }
  Only "id" and "title" of an article are required; "lang" defaults to the set's "language", else en.

Output: a summary per dataset, then, as its last line, one JSON object (queries, in_scope,
out_of_scope, answered, answered_correct, precision, coverage, oos_escalation, top1, p50_ms,
p99_ms, suggested, suggest_hit, self_service, oos_suggested).

--all with no folder (npm run bench:kb) runs every set in ../shared/bench when it is there;
otherwise the synthetic scale set and the sample KB in examples/kb (each article's first example
question held out as its query, plus a few out-of-scope questions that should escalate).`;

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('measure Solodesk');
  bench
    .command('kb')
    .description('answer/suggest/escalate quality and latency of the KB decision on a dataset')
    .option('--dataset <file>', 'dataset JSON (articles and queries; format below)')
    .option('--all [dir]', 'every dataset in a folder (default ../shared/bench, else the sample KB)')
    .option('--learn', 'replay the queries as customers who pick suggestions and a founder who saves the rest')
    .option('--scale', 'also time the decision over 10,000 synthetic articles')
    .addHelpText('after', DATASET_FORMAT)
    .action((options: { dataset?: string; all?: string | boolean; learn?: boolean; scale?: boolean }) =>
      runCommand(async (config) => {
        await (await import('./bench-kb.ts')).runKbBench(config, options);
      }),
    );
}
