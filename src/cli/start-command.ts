import type { Command } from 'commander';
import { deskParts } from '../channels.ts';
import type { Config } from '../config/env.ts';
import { createLogger } from '../observability/logger.ts';
import { startService } from '../service.ts';
import { runCommand } from './run-command.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('migrate, then serve HTTP (/healthz, /metrics, webhooks) and every configured channel')
    .action(() =>
      runCommand(async (config) => {
        // With no platform at all, the terminal is the chat app (when there is a person at it).
        const terminal = !hasAnyChannel(config) && process.stdin.isTTY ? { input: process.stdin, output: process.stdout } : undefined;
        const logger = createLogger({ level: config.logLevel ?? (terminal ? 'warn' : undefined) });
        const service = await startService(config, { logger, parts: deskParts(terminal ? { terminal } : {}) });
        if (terminal) process.stdout.write(`Solodesk is running on http://localhost:${service.port} (GET /healthz).\n`);
        await untilSignal(logger, () => service.stop());
      }),
    );
}

export function hasAnyChannel(config: Config): boolean {
  return Boolean(config.telegram || config.slack || config.wechaty);
}

export function untilSignal(logger: { info: (o: object, m: string) => void; error: (o: object, m: string) => void }, stop: () => Promise<void>, extra?: (trigger: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const trigger = () => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop().then(resolve, (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received');
      trigger();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    extra?.(trigger);
  });
}
