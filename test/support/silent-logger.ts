import { createLogger, type Logger } from '../../src/observability/logger.ts';

export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
