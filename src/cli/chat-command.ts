import type { Command } from 'commander';
// Plain strings, no imports of its own: the help stays as light to load as the rest of registration.
import { terminalFounderHint } from '../core/founder/help.ts';
import { runCommand } from './run-command.ts';

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description(
      'talk to the bot as a customer in this terminal, through the real pipeline; piped input is one message per line',
    )
    .option('--resume', 'go on with your last open conversation instead of starting a new one')
    .addHelpText('after', chatHelpText)
    .action((options: { resume?: boolean }) =>
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
                ...(options.resume ? { resume: true } : {}),
              },
            }),
          }),
        );
      }),
    );
}

/**
 * What one can type at `chat`: the customer's part here, the founder's part from the core's help
 * (the hint the terminal itself shows), so the two never list different commands.
 */
export function chatHelpText(): string {
  return [
    '',
    'What you can type:',
    '  <text>      a message, as the customer',
    '  + or -      rate the last answer: it helped / it did not',
    '  1, 2, 3     pick a suggestion from a "did you mean" list (0: none of these, to the founder)',
    '',
    'When no other founder console (Telegram, Slack …) is configured, you answer as the founder too:',
    ...wrap(terminalFounderHint(), 96).map((line) => `  ${line}`),
    '',
    'Each run starts a new conversation; --resume goes on with the last open one.',
    '',
  ].join('\n');
}

/** Breaks text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return line === '' ? lines : [...lines, line];
}
