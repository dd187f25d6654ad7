import type { Command } from 'commander';
import { createLogger } from '../observability/logger.ts';
import { startService } from '../service.ts';
import { runCommand } from './run-command.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('migrate, then serve HTTP (/healthz, /metrics, webhooks) and every configured channel')
    .action(() =>
      runCommand(async (config) => {
        const logger = createLogger({ level: config.logLevel });
        const service = await startService(config, { logger });
        await new Promise<void>((resolve) => {
          const onSignal = (signal: NodeJS.Signals) => {
            logger.info({ signal }, 'signal received');
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
            service.stop().then(resolve, (error) => {
              logger.error({ err: error }, 'shutdown failed');
              process.exitCode = 1;
              resolve();
            });
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
        });
      }),
    );
}
