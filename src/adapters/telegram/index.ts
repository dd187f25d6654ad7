import { Bot } from 'grammy';
import type { Message, UserFromGetMe } from 'grammy/types';
import { founderConsoleOf } from '../../config/founder-console.ts';
import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import type { Sender } from '../../core/ports.ts';
import { safeError } from './errors.ts';
import { createFounderSender, founderSet, handleFounderMessage, type FounderDeps } from './founder.ts';
import { TELEGRAM_TEXT_LIMIT } from './format.ts';
import { createInOrder } from './in-order.ts';
import { CHANNEL, isAddressedToBot, leadingCommand, parseMessage } from './parse.ts';
import { chatKeyOf, grammySignal, startLongPolling, type LongPolling, type Sleep } from './polling.ts';
import { createTelegramSender, TELEGRAM_LIMITS } from './send.ts';
import { checkUpdate } from './update-schema.ts';
import { createWebhookHandler, WEBHOOK_PATH } from './webhook.ts';

// The Telegram channel: a grammY bot that turns updates into core calls, and the senders that
// deliver outbox rows back. Webhook on our HTTP server when TELEGRAM_WEBHOOK_SECRET is set (and
// registered with setWebhook when PUBLIC_URL is), our own long-polling loop otherwise. Both paths
// go through processUpdate: check the update's shape (a poison update is recorded as rejected and
// acknowledged), then grammY's middleware, one chat at a time, resolving once the core stored it.

export { createTelegramSender, TELEGRAM_LIMITS } from './send.ts';
export { createFounderSender, conversationTag, conversationFromTag } from './founder.ts';
export { formatForTelegram, markdownToTelegramHtml, TELEGRAM_TEXT_LIMIT } from './format.ts';
export { parseMessage, parseUpdate } from './parse.ts';
export { WEBHOOK_PATH } from './webhook.ts';

export const DEFAULT_GREETING =
  "Hi! 👋 Ask me anything about our product and I'll answer right away when I can. " +
  'If I can’t, the founder will reply here personally. Type /human at any time to reach them.';

export const DEFAULT_HELP =
  'Just write your question in your own words — I answer from our help articles. ' +
  'After an answer, tap 👍 or 👎 to tell me whether it helped. /human asks the founder to step in.';

/** The update kinds the bot handles; everything else Telegram does not even send. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export interface TelegramChannelOptions {
  /** Reply to /start. */
  greeting?: string;
  /** Reply to /help. */
  help?: string;
  /** Known bot identity: skips the start-up getMe. */
  botInfo?: UserFromGetMe;
  /** Long-poll timeout of getUpdates in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** How the long-polling loop waits after a failure (tests inject one that does not wait). */
  pollingSleep?: Sleep;
  /** First and longest wait of the long-polling loop after failures (default 1 s and 30 s). */
  pollingBackoffMs?: { initial: number; max: number };
}

/**
 * What this adapter does with Telegram: inline keyboards (callback_query comes back), forum topics
 * answered in their topic, photos and documents taken as attachments, no edits of sent messages.
 */
export const TELEGRAM_CAPABILITIES: ChannelCapabilities = {
  buttons: true,
  threads: true,
  files: true,
  edits: false,
  maxTextLength: TELEGRAM_TEXT_LIMIT,
  rateLimits: { ...TELEGRAM_LIMITS },
};

export interface TelegramChannel extends ChannelAdapter {
  mode: 'webhook' | 'polling';
}

export function createTelegramChannel(ctx: ChannelContext, options: TelegramChannelOptions = {}): TelegramChannel {
  const config = ctx.config.telegram;
  if (config === undefined) throw new Error('Telegram is not configured (TELEGRAM_BOT_TOKEN)');
  const { token } = config;
  const logger = ctx.logger.child({ channel: CHANNEL });
  const bot = new Bot(token, {
    ...(config.apiRoot ? { client: { apiRoot: config.apiRoot } } : {}),
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const founders = founderSet(config.founderIds);
  const founderConsole = founderConsoleOf(ctx.config) === 'telegram';
  const founderDeps: FounderDeps = { core: ctx.core, kb: ctx.kb, logger, token, console: founderConsole };
  const webhookSecret = config.webhookSecret;
  const mode = webhookSecret ? 'webhook' : 'polling';

  bot.on('callback_query', async (c) => {
    const query = c.callbackQuery;
    try {
      if (query.data === undefined || founders.has(String(query.from.id))) return;
      const message = query.message;
      await ctx.core.handleAction({
        channel: CHANNEL,
        externalUserId: String(query.from.id),
        externalChatId: String(message?.chat.id ?? query.from.id),
        action: query.data,
        platformEventId: query.id,
        ...(message && 'is_topic_message' in message && message.is_topic_message && message.message_thread_id !== undefined
          ? { threadId: String(message.message_thread_id) }
          : {}),
      });
    } finally {
      // Always, or the customer's button spins: also when the core failed (Telegram redelivers then).
      await c.answerCallbackQuery().catch((error: unknown) => logger.warn({ err: safeError(error, token) }, 'answerCallbackQuery failed'));
    }
  });

  bot.on('message', async (c) => {
    const message: Message = c.message;
    const from = message.from;
    if (from === undefined || from.is_bot) return;
    if (founders.has(String(from.id))) {
      // A founder is never a customer; founder commands only in private (KB internals stay private).
      if (message.chat.type === 'private') await handleFounderMessage(c, message, founderDeps);
      return;
    }
    if (message.chat.type === 'channel' || !isAddressedToBot(message, c.me)) return;
    const command = leadingCommand(message, c.me);
    // /start and /help are stored and answered through the outbox like any reply: a redelivered
    // /start finds its message stored and greets no second time.
    const autoReply =
      command?.command === 'start' ? (options.greeting ?? DEFAULT_GREETING) : command?.command === 'help' ? (options.help ?? DEFAULT_HELP) : undefined;
    // The core recognises "/human" alone, and "talk to a human" within a sentence.
    const text = command?.command === 'human' ? (command.args ? `talk to a human: ${command.args}` : '/human') : undefined;
    const input = parseMessage(message, c.me, { raw: c.update, ...(text !== undefined ? { text } : {}) });
    if (input === null) return;
    await ctx.core.handleInbound(autoReply === undefined ? input : { ...input, autoReply });
  });

  // Finish what is in flight before stopping.
  const inFlight = new Set<Promise<void>>();
  const inOrder = createInOrder();

  async function handleUpdate(value: unknown): Promise<void> {
    const checked = checkUpdate(value);
    if (!checked.ok) {
      logger.debug({ updateId: checked.updateId, reason: checked.reason }, 'telegram update is not a valid update; recording it as rejected');
      await ctx.core.rejectInbound({
        channel: CHANNEL,
        reason: checked.reason,
        ...(checked.updateId !== undefined ? { platformEventId: `update:${checked.updateId}` } : {}),
        raw: checked.raw,
      });
      return;
    }
    const update = checked.update;
    const key = chatKeyOf(update);
    // Throws a BotError around what the middleware threw (the webhook and the poller unwrap it).
    const run = (): Promise<void> => bot.handleUpdate(update);
    await (key === undefined ? run() : inOrder(key, run));
  }

  /** Stores (or records as rejected) one update; resolves only then. */
  async function processUpdate(value: unknown): Promise<void> {
    const task = handleUpdate(value);
    inFlight.add(task);
    try {
      await task;
    } finally {
      inFlight.delete(task);
    }
  }

  let accepting = false;
  let polling: LongPolling | undefined;
  let starting: AbortController | undefined;

  if (mode === 'webhook') {
    ctx.http.addRoute({
      method: 'POST',
      path: WEBHOOK_PATH,
      handler: createWebhookHandler({
        secretToken: webhookSecret!,
        token,
        logger,
        accepting: () => accepting,
        handle: processUpdate,
      }),
    });
  }

  const senders: Sender[] = [createTelegramSender({ api: bot.api, token, logger })];
  if (founderConsole) senders.push(createFounderSender({ api: bot.api, token, logger, founderIds: [...founders] }));

  async function start(abort: AbortSignal): Promise<void> {
    const signal = grammySignal(abort);
    // One getMe, not bot.init(): init retries network failures forever, and a Telegram that
    // cannot be reached must fail this channel's start, not hang the whole service.
    if (!bot.isInited()) bot.botInfo = await bot.api.getMe(signal);
    await bot.api
      .setMyCommands(
        [
          { command: 'start', description: 'Start' },
          { command: 'help', description: 'How this works' },
          { command: 'human', description: 'Ask the founder' },
        ],
        {},
        signal,
      )
      .catch((error: unknown) => logger.warn({ err: safeError(error, token) }, 'setMyCommands failed'));
    if (mode === 'webhook') {
      if (ctx.config.publicUrl) {
        await bot.api.setWebhook(
          `${ctx.config.publicUrl}${WEBHOOK_PATH}`,
          { secret_token: webhookSecret!, allowed_updates: [...ALLOWED_UPDATES] },
          signal,
        );
        logger.info({ url: `${ctx.config.publicUrl}${WEBHOOK_PATH}` }, 'telegram webhook registered');
      } else {
        logger.info('telegram webhook mode; PUBLIC_URL is not set, so setWebhook is left to you');
      }
      accepting = true;
      return;
    }
    // getUpdates is refused while a webhook is set.
    await bot.api.deleteWebhook({}, signal);
    // Stopped meanwhile, or started twice (a retry after a start that was only slow): one loop only.
    if (abort.aborted || polling !== undefined) return;
    polling = startLongPolling({
      api: bot.api,
      token,
      logger,
      handle: processUpdate,
      timeoutSeconds: options.pollTimeoutSeconds ?? 30,
      allowedUpdates: ALLOWED_UPDATES,
      ...(options.pollingSleep ? { sleep: options.pollingSleep } : {}),
      ...(options.pollingBackoffMs ? { initialBackoffMs: options.pollingBackoffMs.initial, maxBackoffMs: options.pollingBackoffMs.max } : {}),
    });
    logger.info({ username: bot.botInfo.username }, 'telegram long polling started');
  }

  const adapter: TelegramChannel = {
    name: CHANNEL,
    capabilities: TELEGRAM_CAPABILITIES,
    mode,
    senders,
    async start() {
      const controller = new AbortController();
      starting = controller;
      try {
        await start(controller.signal);
      } catch (error) {
        // The service logs what start throws; grammY's errors carry the request URL, token included.
        throw safeError(error, token);
      } finally {
        if (starting === controller) starting = undefined;
      }
    },
    async stop() {
      accepting = false;
      starting?.abort();
      await polling?.stop();
      polling = undefined;
      await Promise.allSettled([...inFlight]);
    },
  };
  return adapter;
}
