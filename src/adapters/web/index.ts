import type { PrismaClient } from '@prisma/client';
import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import { LiveFeed } from './live-feed.ts';
import { OriginPolicy } from './origin-policy.ts';
import { webPageRoutes } from './page-routes.ts';
import { createWebSender } from './send.ts';
import { VisitorSessions } from './visitor-sessions.ts';
import { WEB_CHANNEL } from './web-message.ts';
import { MAX_MESSAGE_CHARS, webApiRoutes } from './web-routes.ts';

// The web chat: a widget on the founder's own site (GET /widget.js, built from ./widget) talking
// to our HTTP server under /web. Messages go through the core like every channel's: stored before
// the widget is told "sent", answered through the outbox, relayed to the founder's console.

export { WEB_CHANNEL } from './web-message.ts';

/** How often an open page re-reads its history when several processes share the database. */
const SHARED_DATABASE_RESYNC_MS = 5_000;

export function createWebChannel(ctx: ChannelContext, deps: { prisma: PrismaClient }): ChannelAdapter {
  const config = ctx.config.web;
  if (config === undefined) throw new Error('the web chat is off (WEB_CHAT=off)');
  const logger = ctx.logger.child({ channel: WEB_CHANNEL });
  const feed = new LiveFeed();
  let accepting = false;
  const routes = [
    ...webApiRoutes({
      core: ctx.core,
      prisma: deps.prisma,
      sessions: new VisitorSessions(deps.prisma, ctx.clock, config.identitySecret),
      origins: new OriginPolicy(config.allowedOrigins, ctx.config.publicUrl),
      feed,
      clock: ctx.clock,
      logger,
      accepting: () => accepting,
      // With PostgreSQL, another process may be the one that sends a page's replies.
      ...(ctx.config.database.url !== undefined ? { resyncEveryMs: SHARED_DATABASE_RESYNC_MS } : {}),
    }),
    ...webPageRoutes({ logger, publicUrl: ctx.config.publicUrl }),
  ];
  for (const route of routes) ctx.http.addRoute(route);
  return {
    name: WEB_CHANNEL,
    capabilities: WEB_CAPABILITIES,
    senders: [createWebSender({ prisma: deps.prisma, feed })],
    async start() {
      accepting = true;
    },
    async stop() {
      accepting = false;
      feed.closeAll();
    },
  };
}

/** Buttons and Markdown as the widget shows them; no threads, no files yet, nothing edited; no platform limits to pace. */
export const WEB_CAPABILITIES: ChannelCapabilities = {
  buttons: true,
  threads: false,
  files: false,
  edits: false,
  maxTextLength: MAX_MESSAGE_CHARS,
  rateLimits: {},
};
