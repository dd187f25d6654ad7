import type { Command } from 'commander';
import { runCommand } from './run-command.ts';
import { sinceOf } from './since.ts';

// `solodesk report [--since 7d] [--json]`: what the desk did over a period (core/insight/report.ts
// says where each figure comes from), as text to read or JSON to keep.

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('what the desk did: conversations, answered by the bot, escalations, response times, satisfaction, articles')
    .option('--since <period>', 'how far back: 7d, 12h, 2w, or a date', '7d')
    .option('--json', 'print the report as JSON')
    .action((options: { since: string; json?: boolean }) =>
      runCommand(async (config) => {
        const until = new Date();
        const since = sinceOf(options.since, until);
        const [{ withPrisma }, { buildReport }, { reportText, viewReport }] = await Promise.all([
          import('./desk-session.ts'),
          import('../core/insight/report.ts'),
          import('../core/insight/report-view.ts'),
        ]);
        await withPrisma(config, async (prisma) => {
          const report = await buildReport(prisma, {
            since,
            until,
            ...(config.businessHours ? { businessHours: config.businessHours } : {}),
            ...(config.insight.csatHalfLifeDays !== undefined ? { halfLifeDays: config.insight.csatHalfLifeDays } : {}),
          });
          console.log(options.json ? JSON.stringify(report, null, 2) : reportText(viewReport(report)));
        });
      }),
    );
}
