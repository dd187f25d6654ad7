import type { PrismaClient } from '@prisma/client';
import type { DeskSnapshot } from '../../observability/metrics.ts';

// What /metrics reads from the database at scrape time: the outbox backlog per channel (how many
// rows wait, and how long the oldest has) and how many CSAT ratings are stored. Two small
// aggregate queries, run only when Prometheus asks.

export async function deskSnapshot(prisma: Pick<PrismaClient, 'outbox' | 'feedback'>, now: Date): Promise<DeskSnapshot> {
  const [backlog, csatRatings] = await Promise.all([
    prisma.outbox.groupBy({ by: ['channel'], where: { status: 'pending' }, _count: { _all: true }, _min: { createdAt: true } }),
    prisma.feedback.count({ where: { kind: 'csat' } }),
  ]);
  return {
    outbox: backlog.map((row) => ({
      channel: row.channel,
      depth: row._count._all,
      oldestAgeSeconds: row._min.createdAt ? Math.max(0, (now.getTime() - row._min.createdAt.getTime()) / 1000) : 0,
    })),
    csatRatings,
  };
}
