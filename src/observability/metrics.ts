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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
