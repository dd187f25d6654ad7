import QRCode from 'qrcode';
import { log as wechatyLog, WechatyBuilder, type Message, type PuppetModuleName, type Wechaty } from 'wechaty';
import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import { phrases, replyLanguageOf } from '../../core/phrases.ts';
import type { Sender } from '../../core/ports.ts';
import { holdLease, type LeaseHold } from '../../core/session-lease.ts';
import { OverloadedError } from '../../errors.ts';
import { waitOn } from '../../observability/clock.ts';
import { storeTypedReply, TypedRatings } from '../../core/plain-reply.ts';
import { WECHAT_TEXT_LIMIT } from './format.ts';
import { createLoginQrPage } from './login-qr-page.ts';
import { parseWechatMessage, WECHAT_CHANNEL, type ParsedWechat } from './parse.ts';
import { createWechatSender } from './send.ts';
import { WechatSession, type RestartBackoff } from './session.ts';

// The WeChat channel of a personal account, through Wechaty and a puppet (a protocol client:
// wechat4u, a puppet service …). One login per account, so the session runs only in the process
// that holds the `wechat` lease; the others stand by. Messages are parsed (parse.ts) and stored
// through the core; replies go out through the outbox (send.ts), paced for WeChat's anti-spam.

export { WECHAT_CHANNEL, parseWechatMessage } from './parse.ts';
export { WECHAT_TEXT_LIMIT } from './format.ts';
export { LOGGED_OUT_RETRY_MS } from './send.ts';

/**
 * Tries at storing one message: 1 s doubling to 30 s between them, about 6 minutes in all, which
 * outlasts a database restart or a burst; past that the desk is down and the founder sees the errors.
 */
const STORE_ATTEMPTS = 15;
const STORE_RETRY_MAX_MS = 30_000;

export interface WechatChannelOptions {
  /** A ready puppet instance (tests pass a PuppetMock); otherwise WECHATY_PUPPET names the package. */
  puppet?: NonNullable<Parameters<typeof WechatyBuilder.build>[0]>['puppet'];
  restartBackoff?: RestartBackoff;
  /** Told after each WeChat message is dealt with (stored, duplicate or ignored): tests await it. */
  onHandled?: (messageId: string, result: ParsedWechat['kind'] | 'duplicate' | 'failed') => void;
}

export interface WechatChannel extends ChannelAdapter {
  readonly bot: Wechaty;
  /** Resolves once Wechaty runs in this process (it holds the lease); again after a restart. */
  running(): Promise<void>;
}

export function createWechatChannel(ctx: ChannelContext, options: WechatChannelOptions = {}): WechatChannel {
  const config = ctx.config.wechaty;
  if (config === undefined) throw new Error('WeChat is not configured (WECHATY_PUPPET)');
  // Wechaty's own logger writes plain lines to the console, outside our redaction (a puppet's
  // endpoint or token could be in them): off. What matters reaches our log as its events.
  wechatyLog.level('silent');
  const logger = ctx.logger.child({ channel: WECHAT_CHANNEL });
  const bot = WechatyBuilder.build({
    name: 'solodesk',
    // A puppet package name is imported by Wechaty at start (any installed package: the type only
    // lists the official ones); its token is the puppet's to use.
    puppet: options.puppet ?? (config.puppet as PuppetModuleName),
    ...(options.puppet === undefined && config.token ? { puppetOptions: { token: config.token } } : {}),
  });
  const choices = new TypedRatings();
  const inFlight = new Set<Promise<void>>();

  async function handle(message: Message): Promise<void> {
    let result: ParsedWechat['kind'] | 'duplicate' | 'failed' = 'failed';
    try {
      const parsed = await parseWechatMessage(message);
      result = parsed.kind;
      if (parsed.kind === 'ignored') {
        logger.debug({ messageId: message.id, rule: parsed.rule }, 'wechat message ignored');
        return;
      }
      // A typed "1"/"2" under a rating is the press WeChat has no button for.
      const stored = await storeUntilTaken(() => storeTypedReply(ctx.core, choices, parsed.input), message.id);
      if (stored.duplicate) result = 'duplicate';
    } catch (error) {
      // WeChat does not redeliver: after every retry, or at a stop, the message is lost to the desk.
      logger.error({ err: error, messageId: message.id }, 'a wechat message could not be stored');
    } finally {
      options.onHandled?.(message.id, result);
    }
  }

  /**
   * Stores a message, retrying while the desk refuses (overloaded, database away): unlike Telegram
   * and Slack, WeChat delivers a message once and never again, so our retry is the only one. A
   * redelivery is harmless (the core dedupes by message id). Stops retrying when the channel stops.
   */
  async function storeUntilTaken<T>(store: () => Promise<T>, messageId: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store();
      } catch (error) {
        if (attempt >= STORE_ATTEMPTS || stopping.signal.aborted) throw error;
        const wait = error instanceof OverloadedError ? error.retryAfterMs : Math.min(STORE_RETRY_MAX_MS, 1_000 * 2 ** (attempt - 1));
        logger.warn({ err: error, messageId, attempt }, 'a wechat message could not be stored yet; retrying');
        await waitOn(ctx.clock, wait, stopping.signal);
      }
    }
  }
  let stopping = new AbortController();

  const loginPage = createLoginQrPage(ctx.config.publicUrl);
  ctx.http.addRoute(loginPage.route);
  const session = new WechatSession({
    bot,
    loginPage,
    core: ctx.core,
    logger,
    clock: ctx.clock,
    acceptFriends: config.acceptFriends,
    ...(options.restartBackoff ? { backoff: options.restartBackoff } : {}),
    ...(options.puppet === undefined ? { showQr: drawQrOnTerminal } : {}),
    // A new friend is greeted as Telegram greets /start: their request's hello is stored as their
    // first message and answered with the greeting, in their language (Chinese unless the hello
    // says otherwise: WeChat's customers are), once per request however often it is reported.
    onNewFriend: async (friend) => {
      const language = friend.hello.trim() === '' ? 'zh' : replyLanguageOf(friend.hello);
      await storeUntilTaken(
        () =>
          ctx.core.handleInbound({
            channel: WECHAT_CHANNEL,
            externalUserId: friend.contactId,
            externalChatId: friend.contactId,
            platformMessageId: `friendship:${friend.requestId}`,
            text: friend.hello.trim() || '[friend request]',
            sender: { displayName: friend.name },
            autoReply: phrases(language).greeting,
          }),
        `friendship:${friend.requestId}`,
      );
    },
    onMessage(message) {
      const task = handle(message);
      inFlight.add(task);
      return task.finally(() => inFlight.delete(task));
    },
  });

  const senders: Sender[] = [
    createWechatSender({
      bot: () => bot,
      logger,
      clock: ctx.clock,
      choices,
      perChatIntervalMs: config.perChatIntervalMs,
      maxPerMinute: config.maxPerMinute,
    }),
  ];
  let hold: LeaseHold | undefined;

  return {
    name: WECHAT_CHANNEL,
    capabilities: wechatCapabilities(config),
    senders,
    bot,
    running: () => session.started(),
    async start() {
      if (hold !== undefined) return;
      if (stopping.signal.aborted) stopping = new AbortController();
      // Returns at once: the lease is taken (or waited for) on the lease's own timers.
      hold = holdLease(ctx.lease(WECHAT_CHANNEL), { clock: ctx.clock, logger }, {
        onAcquired: () => session.open(),
        onLost: () => session.close(),
      });
    },
    async stop() {
      stopping.abort();
      await hold?.stop();
      hold = undefined;
      await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * What this adapter does with WeChat: no buttons (a numbered list instead), no threads, files and
 * media taken as attachment references, no edits; paced as the configuration says.
 */
export function wechatCapabilities(config: NonNullable<ChannelContext['config']['wechaty']>): ChannelCapabilities {
  return {
    buttons: false,
    threads: false,
    files: true,
    edits: false,
    maxTextLength: WECHAT_TEXT_LIMIT,
    rateLimits: { perChatIntervalMs: config.perChatIntervalMs, perSecond: 1 },
  };
}

/** The QR code drawn on the terminal: only on a terminal, as the art means nothing in a log file. */
async function drawQrOnTerminal(text: string): Promise<void> {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`${await QRCode.toString(text, { type: 'terminal', small: true })}\n`);
}
