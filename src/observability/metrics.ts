import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per running service, so tests can start several services in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'solodesk_' });
  return {
    registry,
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
    decisionSeconds: new Histogram({
      name: 'solodesk_kb_decision_seconds',
      help: 'Time to rank the KB and decide answer/suggest/escalate',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
