import type { Command } from 'commander';
import { runCommand } from './run-command.ts';

// `solodesk bench kb`: the dataset's articles go into a fresh KB through the same service the
// importer uses, and every query goes through the same decision the bot makes (DESIGN.md §4).
// The last line printed is the contract's JSON object.

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('measure Solodesk');
  bench
    .command('kb')
    .description('answer/suggest/escalate quality and latency of the KB decision on a dataset')
    .option('--dataset <file>', 'dataset JSON (articles and queries, DESIGN.md §4)')
    .option('--all [dir]', 'every dataset in a folder (default ../shared/bench)')
    .option('--learn', 'replay the queries as customers who pick suggestions and a founder who saves the rest')
    .option('--scale', 'also time the decision over 10,000 synthetic articles')
    .action((options: { dataset?: string; all?: string | boolean; learn?: boolean; scale?: boolean }) =>
      runCommand(async (config) => {
        await (await import('./bench-kb.ts')).runKbBench(config, options);
      }),
    );
}

