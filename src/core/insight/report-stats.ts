import type { Clock } from '../../observability/clock.ts';
import type { CoreSettings } from '../inbound-pipeline.ts';
import type { ReportView } from '../ports.ts';
import { buildReport, type Report, type ReportDb } from './report.ts';
import { viewReport } from './report-view.ts';

// `/stats` from any founder console, and the digest: the report of the last days up to the core's
// clock, with the desk's business hours and CSAT half-life.

const DAY_MS = 86_400_000;

export interface StatsDeps {
  prisma: ReportDb;
  settings: Pick<CoreSettings, 'businessHours' | 'csatHalfLifeDays'>;
  clock: Clock;
}

export function recentReport(deps: StatsDeps, input: { days?: number; until?: Date } = {}): Promise<Report> {
  const until = input.until ?? new Date(deps.clock.now());
  return buildReport(deps.prisma, {
    since: new Date(until.getTime() - (input.days ?? 7) * DAY_MS),
    until,
    ...(deps.settings.businessHours ? { businessHours: deps.settings.businessHours } : {}),
    ...(deps.settings.csatHalfLifeDays !== undefined ? { halfLifeDays: deps.settings.csatHalfLifeDays } : {}),
  });
}

export async function founderStats(deps: StatsDeps, input: { days?: number } = {}): Promise<ReportView> {
  return viewReport(await recentReport(deps, input));
}
