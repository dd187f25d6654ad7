import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/env.ts';
import type { KnowledgeBase } from '../kb/knowledge-base.ts';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { CoreApi, Sender } from './ports.ts';

// The port every channel implements (STYLE.md "What we take" 1): Telegram, Slack and the terminal
// are each one ChannelAdapter, built from a ChannelContext by the composition root. Core owns the
// shape, so the route type lives here too: the HTTP server takes WebhookRoutes, adapters give
// them, and neither core nor an adapter needs to know the server.

/** The untouched Node request: webhook handlers read and verify the raw body themselves. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** An HTTP route a channel needs on our server (Telegram's webhook, Slack's events). */
export interface WebhookRoute {
  /** OPTIONS: a browser's CORS preflight (the web chat widget on another site). */
  method: 'GET' | 'POST' | 'OPTIONS';
  path: string;
  handler: RawHandler;
}

/** What the composition root gives a channel when it builds it. */
export interface ChannelContext {
  config: Config;
  core: CoreApi;
  kb: KnowledgeBase;
  logger: Logger;
  metrics: Metrics;
  /** Only the part of the HTTP server a channel may use: adding its routes. */
  http: { addRoute(route: WebhookRoute): void };
  /** The core's clock: a channel's timers (lease renewals) move with it in tests. */
  clock: Clock;
  /**
   * A lease on a session that only one process may hold at a time (one WeChat login shared by
   * several instances on one PostgreSQL database): see SessionLease.
   */
  lease(name: string): SessionLease;
}

/**
 * A database lease: the process that holds it owns the session; the others stand by and take it
 * over once it expires (the holder died or lost the database). Time comes from the core's clock.
 */
export interface SessionLease {
  /** How long a taken or renewed lease lasts; renew well before (e.g. every third of it). */
  readonly ttlMs: number;
  /** Takes the lease if it is free, expired or already ours; true when this process holds it now. */
  acquire(): Promise<boolean>;
  /** Extends a lease this process holds; false when another process has taken it meanwhile. */
  renew(): Promise<boolean>;
  /** Gives the lease up at once (a clean stop), so a standby need not wait for it to expire. */
  release(): Promise<void>;
}

/**
 * What a channel can carry, as the adapter's code actually does it (not everything the platform
 * could): what core may put in a message for it, and how fast the outbox may send.
 */
export interface ChannelCapabilities {
  /** Reply buttons are shown and a press comes back as a customer action. */
  buttons: boolean;
  /** Messages in a thread (a forum topic, a Slack thread) are answered in that thread. */
  threads: boolean;
  /** Files a person sends arrive as attachments. No channel sends files out yet. */
  files: boolean;
  /** The adapter edits what it sent earlier (e.g. the status line of a founder thread). */
  edits: boolean;
  /** The longest text one platform message holds, in characters (longer texts are split). */
  maxTextLength: number;
  /** The platform's send limits, as the outbox applies them (milliseconds, as everywhere). */
  rateLimits: { perChatIntervalMs?: number; perSecond?: number };
}

export interface ChannelAdapter {
  /** The part's name in /healthz and in logs (`telegram`, `slack`, `console`). */
  readonly name: string;
  readonly capabilities: ChannelCapabilities;
  /** Senders of outbox rows: the channel's customers, and the founder console when it is one. */
  readonly senders: Sender[];
  /** Connects to the platform; a failure is thrown (the service retries a channel with backoff). */
  start(): Promise<void>;
  /** Stops taking work and waits for what is in flight. */
  stop(): Promise<void>;
}
