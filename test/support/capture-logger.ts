import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.ts';

/** The real logger, writing to memory: what the service would have printed, line by line. */
export function captureLogger(level = 'trace'): { logger: Logger; lines: string[]; text(): string; records(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const written = (): string => lines.join('');
  return {
    logger: createLogger({ level, destination }),
    lines,
    text: written,
    records: () =>
      written()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
