import { Bot, type Context } from 'grammy';
import type { Message, UserFromGetMe } from 'grammy/types';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import type { Sender } from '../../core/ports.ts';
import type { ChannelContext, ChannelParts } from '../channel.ts';
import { safeError } from './errors.ts';
import { createFounderSender, founderSet, handleFounderMessage, type FounderDeps } from './founder.ts';
import { CHANNEL, isAddressedToBot, leadingCommand, parseMessage } from './parse.ts';
import { createTelegramSender } from './send.ts';
import { createWebhookHandler, WEBHOOK_PATH } from './webhook.ts';

// The Telegram channel: a grammY bot that turns updates into core calls, and the senders that
// deliver outbox rows back. Webhook on our HTTP server when TELEGRAM_WEBHOOK_SECRET is set (and
// registered with setWebhook when PUBLIC_URL is), long polling with @grammyjs/runner otherwise.

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
  /** How long one webhook update may take before Telegram is answered 500 (default 10 s). */
  webhookTimeoutMs?: number;
}

export interface TelegramChannelParts extends ChannelParts {
  mode: 'webhook' | 'polling';
}

export function createTelegramChannel(ctx: ChannelContext, options: TelegramChannelOptions = {}): TelegramChannelParts {
  const config = ctx.config.telegram;
  if (config === undefined) throw new Error('Telegram is not configured (TELEGRAM_BOT_TOKEN)');
  const { token } = config;
  const logger = ctx.logger.child({ channel: CHANNEL });
  const bot = new Bot(token, {
    ...(config.apiRoot ? { client: { apiRoot: config.apiRoot } } : {}),
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const founders = founderSet(config.founderIds);
  const founderConsole = ctx.config.slack === undefined && founders.size > 0;
  const founderDeps: FounderDeps = { core: ctx.core, kb: ctx.kb, logger, token, console: founderConsole };
  const mode = config.webhookSecret ? 'webhook' : 'polling';

  // Long-poll failures are otherwise invisible (the runner is silenced: it prints raw errors).
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      if (method === 'getUpdates' && !result.ok) {
        logger.warn({ code: result.error_code, description: result.description }, 'getUpdates refused');
      }
      return result;
    } catch (error) {
      if (method === 'getUpdates' && !signal?.aborted) logger.warn({ err: safeError(error, token) }, 'getUpdates failed; retrying');
      throw error;
    }
  });

  // Finish what is in flight before stopping; keep one chat's updates in order.
  const inFlight = new Set<Promise<void>>();
  bot.use(async (_ctx, next) => {
    const task = Promise.resolve(next());
    inFlight.add(task);
    try {
      await task;
    } finally {
      inFlight.delete(task);
    }
  });
  bot.use(sequentialize((c: Context) => (c.chat?.id ?? c.from?.id)?.toString()));

  const reply = async (c: Context, text: string): Promise<void> => {
    try {
      await c.reply(text);
    } catch (error) {
      logger.warn({ err: safeError(error, token) }, 'could not reply on Telegram');
    }
  };

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
    if (command?.command === 'start') return reply(c, options.greeting ?? DEFAULT_GREETING);
    if (command?.command === 'help') return reply(c, options.help ?? DEFAULT_HELP);
    // The core recognises "/human" alone, and "talk to a human" within a sentence.
    const text = command?.command === 'human' ? (command.args ? `talk to a human: ${command.args}` : '/human') : undefined;
    const input = parseMessage(message, c.me, { raw: c.update, ...(text !== undefined ? { text } : {}) });
    if (input === null) return;
    await ctx.core.handleInbound(input);
  });

  bot.catch((error) => {
    logger.error({ err: safeError(error, token) }, 'telegram update not handled');
  });

  let accepting = false;
  let runner: RunnerHandle | undefined;

  if (mode === 'webhook') {
    ctx.http.addRoute({
      method: 'POST',
      path: WEBHOOK_PATH,
      handler: createWebhookHandler(bot, {
        secretToken: config.webhookSecret!,
        token,
        logger,
        accepting: () => accepting,
        ...(options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {}),
      }),
    });
  }

  const senders: Sender[] = [createTelegramSender({ api: bot.api, token, logger })];
  if (founderConsole) senders.push(createFounderSender({ api: bot.api, token, logger, founderIds: [...founders] }));

  return {
    mode,
    senders,
    part: {
      name: 'telegram',
      async start() {
        // One getMe, not bot.init(): init retries network failures forever, and a Telegram that
        // cannot be reached must fail this channel's start, not hang the whole service.
        if (!bot.isInited()) bot.botInfo = await bot.api.getMe();
        await bot.api
          .setMyCommands([
            { command: 'start', description: 'Start' },
            { command: 'help', description: 'How this works' },
            { command: 'human', description: 'Ask the founder' },
          ])
          .catch((error: unknown) => logger.warn({ err: safeError(error, token) }, 'setMyCommands failed'));
        if (mode === 'webhook') {
          if (ctx.config.publicUrl) {
            await bot.api.setWebhook(`${ctx.config.publicUrl}${WEBHOOK_PATH}`, {
              secret_token: config.webhookSecret!,
              allowed_updates: [...ALLOWED_UPDATES],
            });
            logger.info({ url: `${ctx.config.publicUrl}${WEBHOOK_PATH}` }, 'telegram webhook registered');
          } else {
            logger.info('telegram webhook mode; PUBLIC_URL is not set, so setWebhook is left to you');
          }
          accepting = true;
          return;
        }
        // getUpdates is refused while a webhook is set.
        await bot.api.deleteWebhook();
        runner = run(bot, {
          runner: {
            fetch: { timeout: options.pollTimeoutSeconds ?? 30, allowed_updates: [...ALLOWED_UPDATES] },
            silent: true,
          },
        });
        runner.task()?.catch((error: unknown) => logger.error({ err: safeError(error, token) }, 'telegram long polling stopped'));
        logger.info({ username: bot.botInfo.username }, 'telegram long polling started');
      },
      async stop() {
        accepting = false;
        if (runner?.isRunning()) await runner.stop();
        runner = undefined;
        await Promise.allSettled([...inFlight]);
      },
    },
  };
}
