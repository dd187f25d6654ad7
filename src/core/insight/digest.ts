import type { DigestSchedule } from '../../config/env.ts';
import type { Clock } from '../../observability/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import { localParts } from '../business-hours.ts';
import { enqueueFounderNotice, type Tx } from '../outbox.ts';
import { PollingLoop } from '../polling-loop.ts';
import type { PrismaClient } from '@prisma/client';
import { recentReport, type StatsDeps } from './report-stats.ts';
import { viewReport } from './report-view.ts';

// The weekly digest (DIGEST_SCHEDULE, e.g. "Mon 09:00" in BUSINESS_TIMEZONE): once per week, the
// report of the 7 days before the scheduled time goes to the founder console as a notice (Slack
// adds a chart). What was sent is an AuditLog row (`digest.sent`, keyed by the scheduled time),
// written in the transaction that enqueues the notice, under an advisory lock: two processes or a
// restart find it and send nothing twice.

const MINUTE_MS = 60_000;
const WEEK_MINUTES = 7 * 24 * 60;
/** A digest not sent within this long after its time (the desk was down) is skipped, not sent late. */
const LATEST_MS = 24 * 60 * MINUTE_MS;

/** The latest scheduled time at or before `now` (to the minute, in the schedule's time zone). */
export function lastScheduledAt(schedule: DigestSchedule, now: Date): Date {
  const { day, minute } = localParts(now, schedule.timeZone);
  const back = (((day - schedule.day) * 24 * 60 + minute - schedule.minute) % WEEK_MINUTES + WEEK_MINUTES) % WEEK_MINUTES;
  const toMinute = now.getTime() - (now.getTime() % MINUTE_MS);
  return new Date(toMinute - back * MINUTE_MS);
}

export interface DigestDeps extends Omit<StatsDeps, 'prisma'> {
  prisma: PrismaClient;
  schedule: DigestSchedule;
  logger: Logger;
  clock: Clock;
  /** Called once a digest is enqueued (the outbox dispatcher's wake). */
  onEnqueued?: () => void;
}

export class DigestLoop extends PollingLoop {
  constructor(private readonly deps: DigestDeps, options: { pollIntervalMs?: number } = {}) {
    super({
      pollIntervalMs: options.pollIntervalMs ?? MINUTE_MS,
      clock: deps.clock,
      onError: (error) => deps.logger.error({ err: error }, 'weekly digest failed; trying again at the next poll'),
    });
  }

  /** Enqueues this week's digest when it is due and not sent yet; 1 when it did. */
  async runOnce(): Promise<number> {
    const now = new Date(this.clock.now());
    const due = lastScheduledAt(this.deps.schedule, now);
    if (now.getTime() - due.getTime() > LATEST_MS) return 0;
    const key = due.toISOString();
    const sent = await this.deps.prisma.$transaction((tx) => this.sendOnce(tx, key, due), { timeout: 30_000, maxWait: 30_000 });
    if (sent) {
      this.deps.logger.info({ key }, 'weekly digest enqueued');
      this.deps.onEnqueued?.();
    }
    return sent ? 1 : 0;
  }

  private async sendOnce(tx: Tx, key: string, due: Date): Promise<boolean> {
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('solodesk:digest'))) AS l`;
    if (await tx.auditLog.findFirst({ where: { action: 'digest.sent', entityId: key }, select: { id: true } })) return false;
    const report = await recentReport({ ...this.deps, prisma: tx }, { days: 7, until: due });
    await enqueueFounderNotice(tx, {
      type: 'digest',
      key,
      view: viewReport(report),
      days: report.days.map((d) => ({ date: d.date, conversations: d.conversations, answeredByBot: d.answeredByBot, escalated: d.escalated, satisfaction: d.satisfaction })),
    });
    await tx.auditLog.create({
      data: {
        actor: 'system',
        action: 'digest.sent',
        entity: 'digest',
        entityId: key,
        details: { since: report.since, until: report.until, conversations: report.conversations },
        createdAt: new Date(this.clock.now()),
      },
    });
    return true;
  }
}
