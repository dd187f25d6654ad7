import type { Command } from 'commander';
import type { TerminalOptions } from '../channels.ts';
import type { Config } from '../config/env.ts';
import { requireFounderConsole } from '../config/founder-console.ts';
import { runCommand } from './run-command.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('migrate, then serve HTTP (/healthz, /metrics, webhooks) and every configured channel')
    .action(() =>
      runCommand(async (config) => {
        // With no platform at all, the terminal is the chat app (when there is a person at it).
        const interactive = !hasAnyChannel(config) && Boolean(process.stdin.isTTY);
        // Before the port and the database: a desk whose escalations reach nobody does not start.
        requireFounderConsole(config, { terminal: interactive });
        const [{ deskParts }, { createLogger }, { startService }, { installProcessLifecycle, serveUntilStopped }] = await Promise.all([
          import('../channels.ts'),
          import('../observability/logger.ts'),
          import('../service.ts'),
          import('./process-lifecycle.ts'),
        ]);
        const logger = createLogger({ level: config.logLevel ?? (interactive ? 'warn' : undefined) });
        const lifecycle = installProcessLifecycle(logger);
        const terminal: TerminalOptions | undefined = interactive
          ? { input: process.stdin, output: process.stdout, onInterrupt: () => lifecycle.requestStop('Ctrl-C') }
          : undefined;
        await serveUntilStopped(
          lifecycle,
          () => startService(config, { logger, signal: lifecycle.signal, parts: deskParts(terminal ? { terminal } : {}) }),
          (service) => {
            if (terminal) process.stdout.write(`Solodesk is running on http://localhost:${service.port} (GET /healthz). Ctrl-C stops it.\n`);
          },
        );
      }),
    );
}

export function hasAnyChannel(config: Config): boolean {
  return Boolean(config.telegram || config.slack || config.wechaty || config.wechatOfficial || config.wecom);
}
