import { Counter } from 'prom-client';
import type { Logger } from './logger.ts';

// What escaped every handler: a promise rejected with nobody waiting for it, or an exception
// thrown from a callback. Node's default ends the process for both, which takes every channel
// and the outbox down with one bad request. The commands that run the service (start, chat)
// install these handlers once, through installProcessFailureHandlers: each failure is logged
// through the logger (so it is redacted like any line), counted, and the process goes on.

/** Process-wide (one process, one count); every service's registry exposes it (metrics.ts). */
export const processFailures = new Counter({
  name: 'solodesk_process_failures_total',
  help: 'Failures caught at the process level (unhandled rejections, uncaught exceptions), by kind',
  labelNames: ['kind'] as const,
  registers: [],
});

export type ProcessFailureKind = 'unhandled_rejection' | 'uncaught_exception';

/** Installs the handlers; returns a function that removes them again. */
export function installProcessFailureHandlers(logger: Logger): () => void {
  const onRejection = (reason: unknown): void => {
    processFailures.inc({ kind: 'unhandled_rejection' });
    logger.error({ err: reason, kind: 'unhandled_rejection' }, 'a promise was rejected and nothing handled it; the process keeps running');
  };
  const onException = (error: Error, origin: string): void => {
    processFailures.inc({ kind: 'uncaught_exception' });
    logger.error({ err: error, kind: 'uncaught_exception', origin }, 'an exception escaped every handler; the process keeps running');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
