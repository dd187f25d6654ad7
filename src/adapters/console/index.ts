import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { PrismaClient } from '@prisma/client';
import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import { CONSOLE_CHANNEL, ConsoleChannel } from './console-channel.ts';

// The terminal as a channel (`solodesk chat`, and `solodesk start` on a terminal with no
// platform): the same ChannelAdapter shape as Telegram and Slack. Reading lines, showing replies
// and the founder's /reply live in console-channel.ts; this file only builds the adapter.

export { CONSOLE_CHANNEL } from './console-channel.ts';

/**
 * What the terminal does: plain lines of any length, no threads, files or edits. Buttons are not
 * shown as buttons: a rating is typed as + or -, other choices are only named.
 */
export const CONSOLE_CAPABILITIES: ChannelCapabilities = {
  buttons: false,
  threads: false,
  files: false,
  edits: false,
  maxTextLength: Number.POSITIVE_INFINITY,
  rateLimits: {},
};

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Called when the terminal's input has ended (piped input read to the end). */
  onEnd?: () => void;
  /** Called on Ctrl-C when the console reads a terminal itself (readline's 'SIGINT'). */
  onInterrupt?: () => void;
  /** `chat --resume`: go on with the last open console conversation; otherwise each run is a new chat. */
  resume?: boolean;
}

export interface ConsoleAdapterOptions {
  terminal: TerminalOptions;
  /** The console waits on the inbox and outbox rows of its own lines before reading the next. */
  prisma: PrismaClient;
  /** No other founder console took the escalations: the person at the terminal answers them. */
  founderHere: boolean;
}

export function createConsoleChannel(ctx: ChannelContext, options: ConsoleAdapterOptions): ChannelAdapter {
  const { terminal } = options;
  const logger = ctx.logger.child({ channel: CONSOLE_CHANNEL });
  const channel = new ConsoleChannel({
    core: ctx.core,
    prisma: options.prisma,
    input: terminal.input,
    output: terminal.output,
    founderHere: options.founderHere,
    sessionId: randomBytes(4).toString('hex'),
    userName: safeUserName(),
    ...(terminal.resume ? { resume: true } : {}),
    ...(terminal.onInterrupt ? { onInterrupt: terminal.onInterrupt } : {}),
  });
  let running: Promise<void> | undefined;
  return {
    name: CONSOLE_CHANNEL,
    capabilities: CONSOLE_CAPABILITIES,
    senders: channel.senders,
    async start() {
      // Reads until the input ends; start() returns at once, the service goes on meanwhile.
      running = channel.run().then(
        () => terminal.onEnd?.(),
        (error: unknown) => {
          logger.error({ err: error }, 'console channel failed');
          terminal.onEnd?.();
        },
      );
    },
    async stop() {
      // Stop reading the terminal: an open readline keeps the process alive after everything
      // else stopped, and a later keystroke would reach a closed database.
      channel.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
      clearTimeout(timer);
    },
  };
}

/** The customer's name at the terminal: the login name, which some containers do not have. */
function safeUserName(): string {
  try {
    return userInfo().username || 'console-user';
  } catch {
    return 'console-user';
  }
}
