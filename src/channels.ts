import type { TerminalOptions } from './adapters/console/index.ts';
import { requireFounderConsole } from './config/founder-console.ts';
import type { ChannelAdapter, ChannelContext } from './core/channel-adapter.ts';
import { FOUNDER_CHANNEL } from './core/ports.ts';
import { createSessionLease, DEFAULT_LEASE_TTL_MS, processLeaseOwner } from './core/session-lease.ts';
import { createDesk, importSampleKbIfEmpty } from './desk.ts';
import { SolodeskError } from './errors.ts';
import { systemClock } from './observability/clock.ts';
import type { PartsFactory, ServicePart } from './service.ts';
import { DigestLoop } from './core/insight/digest.ts';
import { deskSnapshot } from './core/insight/report-operations.ts';

// What `solodesk start` and `solodesk chat` run: the KB, the outbox dispatcher, and every
// configured channel. Channels are a list: each one that is configured is built (its platform SDK
// imported only then), its senders go to the dispatcher, and its lifecycle becomes a service
// part. One that cannot be built is logged and left out; the others go on (DESIGN.md §3).

export type { TerminalOptions } from './adapters/console/index.ts';

/** One entry of the channel list. */
interface ChannelEntry {
  name: string;
  /** Its credentials are set (or, for the console, a terminal was given). */
  configured: boolean;
  build(): Promise<ChannelAdapter>;
}

export function deskParts(options: { terminal?: TerminalOptions } = {}): PartsFactory {
  return async (context) => {
    // Also checked by the CLI before anything starts; here for every composition of the desk.
    requireFounderConsole(context.config, { terminal: options.terminal !== undefined });
    const desk = createDesk(context);
    const clock = context.clock ?? systemClock;
    // One owner id per process: every lease this process takes is held under the same name.
    const leaseOwner = processLeaseOwner();
    const channelContext: ChannelContext = {
      ...context,
      core: desk.core,
      kb: desk.kb,
      clock,
      lease: (name) => createSessionLease(context.db.prisma, { name, owner: leaseOwner, ttlMs: DEFAULT_LEASE_TTL_MS, clock }),
    };
    const parts: ServicePart[] = [
      {
        name: 'kb',
        required: true,
        start: async () => {
          await importSampleKbIfEmpty(desk, context.db, context.logger);
          await desk.kb.buildIndex();
          // The first fit starts now, in its worker, without holding up readiness: a question that
          // comes before it is done waits for it (kb.decide), and every other part is ready sooner.
          desk.kb.prepare().catch((error: unknown) => context.logger.warn({ err: error }, 'the first KB fit did not finish; the next question fits again'));
        },
        // A fit still running (a stop right after start) must not keep the process alive.
        stop: async () => desk.kb.stopRefits(),
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
          // Satisfaction ratings that came due (answers left alone, the desk's opening): within a minute is soon enough.
          desk.core.askDueRatings().catch((error: unknown) => context.logger.error({ err: error }, 'asking for due ratings failed'));
        }, 60_000);
        learning.unref();
      },
      stop: async () => clearInterval(learning),
    });
    context.metrics.watchDesk(() => deskSnapshot(context.db.prisma, new Date((context.clock ?? systemClock).now())));
    const digestSchedule = context.config.insight.digest;
    if (digestSchedule !== null) {
      const digest = new DigestLoop({
        prisma: context.db.prisma, settings: desk.core.settings, clock: context.clock ?? systemClock, schedule: digestSchedule, logger: context.logger,
        onEnqueued: () => desk.core.dispatcher.wake(),
      });
      parts.push({ name: 'digest', start: async () => digest.start(), stop: () => digest.stop() });
    }

    const { config } = context;
    const terminal = options.terminal;
    // In this order: the console comes last, and answers escalations itself only when no channel
    // before it registered a founder console (also when that channel could not be built).
    const channels: ChannelEntry[] = [
      {
        name: 'telegram',
        configured: config.telegram !== undefined,
        build: async () => (await import('./adapters/telegram/index.ts')).createTelegramChannel(channelContext),
      },
      {
        name: 'slack',
        configured: config.slack !== undefined,
        build: async () => (await import('./adapters/slack/index.ts')).createSlackChannel(channelContext),
      },
      {
        name: 'wechat',
        configured: config.wechaty !== undefined,
        build: async () => (await import('./adapters/wechat/index.ts')).createWechatChannel(channelContext),
      },
      {
        name: 'wechat_oa',
        configured: config.wechatOfficial !== undefined,
        build: async () => (await import('./adapters/wechat-official/index.ts')).createWechatOfficialChannel(channelContext),
      },
      {
        name: 'wecom',
        configured: config.wecom !== undefined,
        // The cursor of kf/sync_msg lives in the database, which a ChannelContext does not carry.
        build: async () => (await import('./adapters/wecom/index.ts')).createWecomChannel(channelContext, { prisma: context.db.prisma }),
      },
      {
        name: 'web',
        configured: config.web !== undefined,
        build: async () => (await import('./adapters/web/index.ts')).createWebChannel(channelContext, { prisma: context.db.prisma }),
      },
      {
        name: 'console',
        configured: terminal !== undefined,
        build: async () =>
          (await import('./adapters/console/index.ts')).createConsoleChannel(channelContext, {
            terminal: terminal!,
            prisma: context.db.prisma,
            founderHere: !desk.core.dispatcher.channels.includes(FOUNDER_CHANNEL),
          }),
      },
    ];
    for (const entry of channels) {
      if (!entry.configured) continue;
      try {
        const adapter = await entry.build();
        for (const sender of adapter.senders) desk.core.dispatcher.registerSender(sender);
        parts.push({ name: adapter.name, start: () => adapter.start(), stop: () => adapter.stop() });
      } catch (error) {
        // A channel this version does not have is a setting to tell about, not a failure.
        if (error instanceof SolodeskError && error.code === 'channel_unavailable') context.logger.warn(error.message);
        else context.logger.error({ err: error, channel: entry.name }, `${entry.name} could not be set up; the other channels go on`);
      }
    }
    return parts;
  };
}
