import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.ts';

/** The real logger, writing to memory: what the service would have printed, line by line. */
export function captureLogger(level = 'trace'): { logger: Logger; text(): string; records(): Array<Record<string, unknown>> } {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString('utf8');
      done();
    },
  });
  return {
    logger: createLogger({ level, destination }),
    text: () => written,
    records: () =>
      written
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
