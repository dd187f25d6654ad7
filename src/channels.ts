import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { ChannelContext, ChannelParts } from './adapters/channel.ts';
import { ConsoleChannel } from './adapters/console/console-channel.ts';
import { FOUNDER_CHANNEL } from './core/ports.ts';
import { createDesk, importSampleKbIfEmpty } from './desk.ts';
import type { PartsFactory, ServiceContext, ServicePart } from './service.ts';

// What `solodesk start` and `solodesk chat` run: the KB, the outbox dispatcher, and every
// configured channel. A channel that cannot be built or started is logged and left out; the
// others go on (DESIGN.md §3).

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Called when the terminal's input has ended (piped input read to the end). */
  onEnd?: () => void;
  /** Called on Ctrl-C when the console reads a terminal itself (readline's 'SIGINT'). */
  onInterrupt?: () => void;
}

export function deskParts(options: { terminal?: TerminalOptions } = {}): PartsFactory {
  return async (context) => {
    const desk = createDesk(context);
    const channelContext: ChannelContext = { ...context, core: desk.core, kb: desk.kb };
    const parts: ServicePart[] = [
      {
        name: 'kb',
        required: true,
        start: async () => {
          await importSampleKbIfEmpty(desk, context.db, context.logger);
          await desk.kb.sync(true);
          // the first fit before the first customer, not on their question
          await desk.kb.prepare();
        },
        stop: async () => undefined,
      },
      {
        // Started before the channels and stopped after them: what they store is still decided,
        // and what that enqueues still goes out.
        name: 'outbox',
        required: true,
        start: async () => {
          desk.core.processor.start();
          desk.core.dispatcher.start();
        },
        stop: async () => {
          await desk.core.processor.stop();
          await desk.core.dispatcher.stop();
        },
      },
    ];
    let learning: NodeJS.Timeout | undefined;
    parts.push({
      name: 'learning',
      start: async () => {
        learning = setInterval(() => {
          desk.core.teachFromPicks().catch((error: unknown) => context.logger.error({ err: error }, 'learning from picks failed'));
        }, 60_000);
        learning.unref();
      },
      stop: async () => clearInterval(learning),
    });
    // Platform SDKs are loaded only for the channels that are configured.
    const channels: Array<[string, () => Promise<ChannelParts>]> = [];
    if (context.config.telegram) {
      channels.push(['telegram', async () => (await import('./adapters/telegram/index.ts')).createTelegramChannel(channelContext)]);
    }
    if (context.config.slack) {
      channels.push(['slack', async () => (await import('./adapters/slack/index.ts')).createSlackChannel(channelContext)]);
    }
    if (context.config.wechaty) {
      context.logger.warn('WECHATY_PUPPET is set, but this version has no WeChat channel yet; WeChat stays off');
    }
    for (const [name, build] of channels) {
      try {
        const built = await build();
        for (const sender of built.senders) desk.core.dispatcher.registerSender(sender);
        parts.push({ ...built.part, name });
      } catch (error) {
        context.logger.error({ err: error, channel: name }, `${name} could not be set up; the other channels go on`);
      }
    }
    if (options.terminal) parts.push(terminalPart(context, desk.core, options.terminal));
    return parts;
  };
}

function terminalPart(context: ServiceContext, core: ReturnType<typeof createDesk>['core'], terminal: TerminalOptions): ServicePart {
  const founderHere = !core.dispatcher.channels.includes(FOUNDER_CHANNEL);
  const channel = new ConsoleChannel({
    core,
    prisma: context.db.prisma,
    input: terminal.input,
    output: terminal.output,
    founderHere,
    sessionId: randomBytes(4).toString('hex'),
    userName: safeUserName(),
    ...(terminal.onInterrupt ? { onInterrupt: terminal.onInterrupt } : {}),
  });
  for (const sender of channel.senders) core.dispatcher.registerSender(sender);
  let running: Promise<void> | undefined;
  return {
    name: 'console',
    start: async () => {
      running = channel.run().then(
        () => terminal.onEnd?.(),
        (error: unknown) => {
          context.logger.error({ err: error }, 'console channel failed');
          terminal.onEnd?.();
        },
      );
    },
    stop: async () => {
      // Stop reading the terminal: an open readline keeps the process alive after everything
      // else stopped, and a later keystroke would reach a closed database.
      channel.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
      clearTimeout(timer);
    },
  };
}

function safeUserName(): string {
  try {
    return userInfo().username || 'console-user';
  } catch {
    return 'console-user';
  }
}
