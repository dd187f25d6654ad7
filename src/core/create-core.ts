import type { PrismaClient } from '@prisma/client';
import type { KnowledgeBase } from '../kb/knowledge-base.ts';
import { systemClock, type Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { handleAction } from './customer-actions.ts';
import { teachFromPicks } from './learning.ts';
import { founderStats } from './insight/report-stats.ts';
import { askDueRatings } from './satisfaction/due-ratings.ts';
import { createFounderActions } from './founder-actions.ts';
import { DEFAULT_CORE_SETTINGS, type CoreSettings, type PipelineDeps } from './inbound-pipeline.ts';
import { Inbox, type InboxOptions } from './inbox.ts';
import { InboxProcessor, type InboxProcessorOptions } from './inbox-processor.ts';
import { InboundMessageSchema } from './messages.ts';
import { enqueueFounderNotice } from './outbox.ts';
import { OutboxDispatcher, type DispatcherOptions } from './outbox-dispatcher.ts';
import type { ChannelEvent, CoreApi, FounderActions, Drafter } from './ports.ts';

export interface Core extends CoreApi {
  dispatcher: OutboxDispatcher;
  /** Decides stored customer messages (start it with the service; tests drain it). */
  processor: InboxProcessor;
  settings: CoreSettings;
  /** Teaches the KB the questions behind picks that were not rejected in time; returns how many. */
  teachFromPicks(): Promise<number>;
  /** Asks for the satisfaction ratings that came due (answers left alone, the desk's opening); returns how many. */
  askDueRatings(): Promise<number>;
}

export function createCore(deps: {
  prisma: PrismaClient;
  kb: KnowledgeBase;
  logger: Logger;
  metrics: Metrics;
  settings?: Partial<CoreSettings>;
  dispatcher?: DispatcherOptions;
  inbox?: InboxOptions;
  processor?: InboxProcessorOptions;
  /**
   * The one clock of the core: decisions, timestamps, what the queues find due, backoffs and
   * poll timers all read it, so a test moves time instead of waiting. Real time by default.
   */
  clock?: Clock;
  /** Drafts replies from the KB (LLM_MODE draft or auto, `settings.llmMode`); none without an LLM. */
  drafter?: Drafter;
}): Core {
  const settings: CoreSettings = { ...DEFAULT_CORE_SETTINGS, ...deps.settings };
  const clock = deps.clock ?? systemClock;
  const pipeline: PipelineDeps = {
    prisma: deps.prisma,
    kb: deps.kb,
    settings,
    logger: deps.logger,
    metrics: deps.metrics,
    clock,
    ...(deps.drafter ? { drafter: deps.drafter } : {}),
  };
  const dispatcher = new OutboxDispatcher(deps.prisma, { logger: deps.logger, metrics: deps.metrics, clock }, deps.dispatcher);
  // The processor yields to the inbox's intake, and the inbox wakes the processor once it stored.
  const inbox = new Inbox(deps.prisma, { logger: deps.logger, metrics: deps.metrics, onStored: () => processor.wake(), clock }, deps.inbox);
  const processor = new InboxProcessor(deps.prisma, pipeline, deps.processor, inbox);
  const founderActions = createFounderActions({ prisma: deps.prisma, kb: deps.kb, now: () => new Date(clock.now()), ratings: settings });
  // Whatever a call enqueued goes out now rather than at the next poll.
  const thenWake = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await fn(...args);
      dispatcher.wake();
      return result;
    };
  const founder: FounderActions = {
    reply: thenWake(founderActions.reply),
    sendDraft: thenWake(founderActions.sendDraft),
    note: founderActions.note,
    resolve: thenWake(founderActions.resolve),
    reopen: thenWake(founderActions.reopen),
    saveAsArticle: founderActions.saveAsArticle,
    linkCustomer: founderActions.linkCustomer,
    unlinkCustomer: founderActions.unlinkCustomer,
    tagCustomer: founderActions.tagCustomer,
    noteCustomer: founderActions.noteCustomer,
    findCustomers: founderActions.findCustomers,
    kbGaps: founderActions.kbGaps,
    gapQuestions: founderActions.gapQuestions,
    conversationForThread: founderActions.conversationForThread,
    threadOf: founderActions.threadOf,
    attachThread: founderActions.attachThread,
  };
  return {
    settings,
    dispatcher,
    processor,
    async handleInbound(input) {
      const parsed = InboundMessageSchema.safeParse(input);
      if (!parsed.success) {
        // An adapter produced something the core cannot take (an id too long, a date that is no
        // date): recorded and acknowledged, never retried for ever.
        const issue = parsed.error.issues[0];
        await inbox.reject({
          channel: typeof input.channel === 'string' && /^[a-z][a-z0-9_-]*$/.test(input.channel) ? input.channel : 'unknown',
          ...(typeof input.platformMessageId === 'string' ? { platformEventId: input.platformMessageId } : {}),
          reason: `invalid ${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'malformed'}`,
          raw: input.raw ?? null,
        });
        return { duplicate: false, rejected: true };
      }
      return inbox.store(parsed.data);
    },
    rejectInbound: (rejected) => inbox.reject(rejected),
    // A founder notice outside any conversation, through the outbox like every notice (durable,
    // retried, ordered per channel); only the founder sender takes it, never a customer's channel.
    // Each QR code is a new event: no dedupe, the founder needs the newest one.
    reportChannelEvent: thenWake(async (event: ChannelEvent) => {
      // Only the declared fields are stored: an adapter spreading a raw session object into the
      // event must not put its tokens in the database.
      const stored: ChannelEvent = {
        channel: event.channel,
        event: event.event,
        detail: event.detail,
        ...(event.url !== undefined ? { url: event.url } : {}),
      };
      await deps.prisma.$transaction((tx) => enqueueFounderNotice(tx, { type: 'channel_event', event: stored }));
    }),
    handleAction: thenWake((action) => handleAction(pipeline, action)),
    founder,
    stats: (input) => founderStats({ prisma: deps.prisma, settings, clock }, input),
    teachFromPicks: () => teachFromPicks(pipeline),
    askDueRatings: thenWake(() => askDueRatings(pipeline)),
  };
}
