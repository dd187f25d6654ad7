import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { processFailures } from './process-failures.ts';

/** One registry per running service, so tests can start several services in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'solodesk_' });
  registry.registerMetric(processFailures);
  return {
    registry,
    partUp: new Gauge({
      name: 'solodesk_part_up',
      help: 'Whether each part of the service (kb, outbox, every channel) is running: 1 running, 0 starting, retrying, failed or stopped',
      labelNames: ['part'] as const,
      registers: [registry],
    }),
    partStartFailures: new Counter({
      name: 'solodesk_part_start_failures_total',
      help: 'Failed start attempts of a part; an optional part (a channel) is retried with backoff',
      labelNames: ['part'] as const,
      registers: [registry],
    }),
    inboundMessages: new Counter({
      name: 'solodesk_inbound_messages_total',
      help: 'Customer messages received, by channel and outcome of storage',
      labelNames: ['channel', 'result'] as const,
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'solodesk_decisions_total',
      help: 'Pipeline decisions, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'solodesk_outbox_deliveries_total',
      help: 'Outbox delivery attempts, by channel and result',
      labelNames: ['channel', 'result'] as const,
      registers: [registry],
    }),
    inboundRejected: new Counter({
      name: 'solodesk_inbound_rejected_total',
      help: 'Deliveries acknowledged but not taken as messages (structurally invalid), by channel and reason',
      labelNames: ['channel', 'reason'] as const,
      registers: [registry],
    }),
    inboundRefused: new Counter({
      name: 'solodesk_inbound_refused_total',
      help: 'Deliveries refused with a retryable status because the desk could not store them in time, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    inboxProcessed: new Counter({
      name: 'solodesk_inbox_processed_total',
      help: 'Stored customer messages the pipeline finished deciding, by result (done, retry, failed)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    inboxStoreSeconds: new Histogram({
      name: 'solodesk_inbox_store_seconds',
      help: 'Time from a delivery reaching the core to its durable storage',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    decisionSeconds: new Histogram({
      name: 'solodesk_kb_decision_seconds',
      help: 'Time to rank the KB and decide answer/suggest/escalate',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1],
      registers: [registry],
    }),
    sendFailures: new Counter({
      name: 'solodesk_send_failures_total',
      help: 'Failed delivery attempts, by channel and reason (rate_limited, blocked, chat_not_found, rejected, network, platform, other)',
      labelNames: ['channel', 'reason'] as const,
      registers: [registry],
    }),
    ...deskGauges(registry),
  };
}

/** What the database says about the desk at scrape time (outbox backlog, CSAT ratings); set once the database is open. */
export interface DeskSnapshot {
  /** Pending outbox rows per channel, and the age of the oldest in seconds. */
  outbox: Array<{ channel: string; depth: number; oldestAgeSeconds: number }>;
  csatRatings: number;
}

/**
 * Gauges read from the database when Prometheus scrapes (not kept up to date by every write):
 * `watchDesk` gives them the reader; before that they have no samples.
 */
function deskGauges(registry: Registry) {
  let read: (() => Promise<DeskSnapshot>) | undefined;
  let pending: Promise<DeskSnapshot | undefined> | undefined;
  // One read per scrape for the three gauges: the first collect starts it, the others share it.
  const snapshot = (): Promise<DeskSnapshot | undefined> => {
    pending ??= (read ? read() : Promise.resolve(undefined)).finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const perChannel = (name: string, help: string, value: (row: DeskSnapshot['outbox'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['channel'] as const,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        for (const row of s?.outbox ?? []) this.set({ channel: row.channel }, value(row));
      },
    });
  const depth = perChannel('solodesk_outbox_depth', 'Outbox rows waiting to be sent, by channel (read at scrape)', (row) => row.depth);
  const oldest = perChannel('solodesk_outbox_oldest_age_seconds', 'Age of the oldest waiting outbox row, by channel (read at scrape)', (row) => row.oldestAgeSeconds);
  const csat = new Gauge({
    name: 'solodesk_csat_ratings',
    help: 'CSAT ratings stored (read at scrape)',
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (s) this.set(s.csatRatings);
    },
  });
  return {
    outboxDepth: depth,
    outboxOldestAge: oldest,
    csatRatings: csat,
    /** Gives the scrape-time gauges their reader (the service does, once the database is open). */
    watchDesk(reader: () => Promise<DeskSnapshot>): void {
      read = reader;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
