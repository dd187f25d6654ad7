import type { Command } from 'commander';
import { runCommand } from './run-command.ts';

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description(
      'talk to the bot as a customer in this terminal, through the real pipeline; piped input is one message per line',
    )
    .action(() =>
      runCommand(async (config) => {
        const [{ deskParts }, { createLogger }, { startService }, { installProcessLifecycle, serveUntilStopped }] = await Promise.all([
          import('../channels.ts'),
          import('../observability/logger.ts'),
          import('../service.ts'),
          import('./process-lifecycle.ts'),
        ]);
        const logger = createLogger({ level: config.logLevel ?? 'warn' });
        const lifecycle = installProcessLifecycle(logger);
        // HTTP is only needed when Slack is the founder console (its events come over HTTP).
        const chatConfig = config.slack && !config.slack.appToken ? config : { ...config, port: 0 };
        await serveUntilStopped(lifecycle, () =>
          startService(chatConfig, {
            logger,
            signal: lifecycle.signal,
            host: chatConfig.port === 0 ? '127.0.0.1' : undefined,
            parts: deskParts({
              terminal: {
                input: process.stdin,
                output: process.stdout,
                onEnd: () => lifecycle.requestStop('end of input'),
                onInterrupt: () => lifecycle.requestStop('Ctrl-C'),
              },
            }),
          }),
        );
      }),
    );
}
