import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import type { FounderActions, Sender } from '../../core/ports.ts';
import { createSlackApp, dedupeEvents, SLACK_EVENTS_PATH, type SlackApp } from './app.ts';
import { createCustomerSender, handleCustomerMessage, registerCustomerButtons, userDirectory } from './customer-channel.ts';
import { createFounderSender, FounderThreads, handleFounderThreadReply, registerFounderButtons, type FounderConsoleDeps } from './founder-console.ts';
import { registerKbCommands } from './kb-commands.ts';
import { registerCustomerCommand } from './customer-command.ts';
import { registerStatsCommand } from './stats-command.ts';
import { routeMessageEvent, SLACK_CHANNEL } from './parse.ts';

// Slack: the founder's console (channel `founder`) and a customer channel (channel `slack`), on
// one Bolt app. See DESIGN.md and issue 5.

export { SLACK_EVENTS_PATH } from './app.ts';
export { SLACK_CHANNEL } from './parse.ts';

/**
 * What this adapter does with Slack: Block Kit buttons (block_actions come back), replies in the
 * customer's thread, files taken as attachments, and the founder thread's root edited in place
 * (chat.update) as the conversation's status changes. A message holds 40,000 characters, but a
 * text carrying buttons goes in a section block of at most 3,000 (customer-channel.ts splits).
 * chat.postMessage allows about one message per second per channel.
 */
export const SLACK_CAPABILITIES: ChannelCapabilities = {
  buttons: true,
  threads: true,
  files: true,
  edits: true,
  maxTextLength: 40_000,
  rateLimits: { perChatIntervalMs: 1000 },
};

export interface SlackChannel extends ChannelAdapter {
  /** The Bolt app and its clients (tests and wiring only). */
  slack: SlackApp;
}

export function createSlackChannel(ctx: ChannelContext): SlackChannel {
  const config = ctx.config.slack;
  if (config === undefined) throw new Error('Slack is not configured (SLACK_BOT_TOKEN)');
  const logger = ctx.logger.child({ channel: 'slack' });
  const slack = createSlackApp(config, logger, {
    recordUnprocessable: (rejected) => ctx.core.rejectInbound({ channel: SLACK_CHANNEL, ...rejected }),
  });
  const { app, client } = slack;
  const founderChannel = config.founderChannel;
  const founderUsers = config.founderUsers;

  // Cosmetic calls (reactions, hints, confirmations) run after the ack; stop() waits for them.
  const pending = new Set<Promise<unknown>>();
  const background = (task: () => Promise<unknown>): void => {
    const run = Promise.resolve()
      .then(task)
      .catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'slack background call failed'))
      .finally(() => pending.delete(run));
    pending.add(run);
  };

  const threads = new FounderThreads();
  const founderDeps: FounderConsoleDeps | undefined = founderChannel === undefined
    ? undefined
    : { client, core: ctx.core, channelId: founderChannel, founderUsers, logger, background };
  const customerDeps = { client, core: ctx.core, logger };
  const lookupUser = userDirectory(client, logger);

  app.use(dedupeEvents(logger));

  app.event('message', async ({ event, body }) => {
    const identity = await slack.identity();
    const routed = routeMessageEvent(event, { founderChannel, founderUsers, ...identity });
    switch (routed.kind) {
      case 'founder_thread_reply':
        if (founderDeps !== undefined) await handleFounderThreadReply(routed, founderDeps, threads);
        return;
      case 'customer':
        await handleCustomerMessage(routed, body, customerDeps, lookupUser);
        return;
      case 'ignore':
        logger.trace({ reason: routed.reason }, 'slack message ignored');
        return;
      case 'invalid': {
        // Acknowledged (Bolt already did) and recorded: a redelivery would be just as invalid.
        const eventId = (body as { event_id?: unknown }).event_id;
        logger.debug({ reason: routed.reason, eventId }, 'slack message event rejected');
        await ctx.core.rejectInbound({ channel: SLACK_CHANNEL, reason: routed.reason, raw: body, ...(typeof eventId === 'string' ? { platformEventId: eventId } : {}) });
        return;
      }
    }
  });

  if (founderDeps !== undefined) registerFounderButtons(app, founderDeps);
  registerCustomerButtons(app, customerDeps, founderChannel);
  // The core is read when a command runs, not while the channel is built (building touches nothing of it).
  const founder: Pick<FounderActions, 'findCustomers' | 'kbGaps' | 'gapQuestions'> = {
    findCustomers: (...args) => ctx.core.founder.findCustomers(...args),
    kbGaps: (...args) => ctx.core.founder.kbGaps(...args),
    gapQuestions: (...args) => ctx.core.founder.gapQuestions(...args),
  };
  registerKbCommands(app, { kb: ctx.kb, founder, client, founderUsers, logger, background });
  registerCustomerCommand(app, { founder, founderUsers });
  registerStatsCommand(app, { core: ctx.core, founderUsers, logger });

  const senders: Sender[] = [createCustomerSender(client)];
  if (founderDeps !== undefined) senders.push(createFounderSender(founderDeps, threads));
  else logger.warn('SLACK_FOUNDER_CHANNEL is not set: Slack carries customers only, escalations go to another console');

  let mounted = false;
  const adapter: SlackChannel = {
    name: SLACK_CHANNEL,
    capabilities: SLACK_CAPABILITIES,
    slack,
    senders,
    async start() {
      // Over HTTP, events come to POST /slack/events on our server (Socket Mode has no receiver).
      // Added here through the port's narrow `addRoute`, not `slack.mount`, which wants the whole server.
      if (!mounted && slack.receiver !== undefined) {
        ctx.http.addRoute({ method: 'POST', path: SLACK_EVENTS_PATH, handler: slack.receiver.handle });
        mounted = true;
      }
      await slack.start();
      logger.info({ mode: config.appToken ? 'socket' : 'http', founderConsole: founderChannel !== undefined }, 'slack channel started');
    },
    async stop() {
      await slack.stop();
      await Promise.allSettled([...pending]);
    },
  };
  return adapter;
}
