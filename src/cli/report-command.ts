import type { Command } from 'commander';
import { openDatabase } from '../db/open-database.ts';
import { buildReport } from '../core/insight/report.ts';
import { reportText, viewReport } from '../core/insight/report-view.ts';
import { SolodeskError } from '../errors.ts';
import { runCommand } from './run-command.ts';

// `solodesk report [--since 7d] [--json]`: what the desk did over a period (core/insight/report.ts
// says where each figure comes from), as text to read or JSON to keep.

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "12h", "2w" back from `now`, or a date ("2026-11-01"). */
export function sinceOf(value: string, now: Date): Date {
  const relative = /^(\d+)\s*([hdw])$/i.exec(value.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date >= now) {
    throw new SolodeskError('invalid_argument', `--since must be like 7d, 12h, 2w or a past date (got "${value}")`);
  }
  return date;
}

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
        const db = await openDatabase(config.database);
        try {
          await db.migrate();
          const report = await buildReport(db.prisma, {
            since,
            until,
            ...(config.businessHours ? { businessHours: config.businessHours } : {}),
            ...(config.insight.csatHalfLifeDays !== undefined ? { halfLifeDays: config.insight.csatHalfLifeDays } : {}),
          });
          console.log(options.json ? JSON.stringify(report, null, 2) : reportText(viewReport(report)));
        } finally {
          await db.close();
        }
      }),
    );
}
