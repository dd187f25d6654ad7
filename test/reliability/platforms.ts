/**
 * The platforms' side of a real Solodesk process, shared by the reliability tests and
 * `npm run bench:load`: customers whose messages arrive as real webhooks (Telegram updates with
 * the secret-token header, correctly signed Slack Events API requests), delivered and redelivered
 * the way the platforms do, and the ledger of what reached each customer at the fake servers.
 */
import { Agent, request } from 'node:http';
import { signSlackRequest } from '../fakes/slack-signing.ts';
import type { FakeSlack } from '../fakes/slack-web-api.ts';
import type { FakeTelegram } from '../fakes/telegram-bot-api.ts';

export type Platform = 'telegram' | 'slack';

/** How long each platform waits for a webhook's answer before it counts it as failed. */
export const PLATFORM_TIMEOUT_MS: Record<Platform, number> = { telegram: 10_000, slack: 3_000 };

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
export const SLACK_EVENTS_PATH = '/slack/events';

/** Credentials shared by the fakes, the desk's environment and the webhooks. */
export const SECRETS = {
  telegramToken: '123456789:AAFakeTokenForSolodeskReliability_01',
  telegramWebhookSecret: 'reliability-webhook-secret_0123456789',
  slackBotToken: 'xoxb-1111111111-2222222222-reliabilitytoken',
  slackSigningSecret: 'reliability-signing-secret-0123456789abcdef',
  founderChannel: 'CFOUNDER01',
  founderUser: 'UFOUNDER01',
  /** The founder's Telegram id when Telegram is the founder console (no Slack): no customer has it. */
  founderTelegramId: '990000001',
} as const;

/** The desk's environment for the fakes (add the database and, if wanted, the port). */
export function deskEnv(fakes: { telegram?: FakeTelegram; slack?: FakeSlack }): Record<string, string> {
  const env: Record<string, string> = {};
  if (fakes.telegram) {
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: fakes.telegram.token,
      TELEGRAM_API_ROOT: fakes.telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRETS.telegramWebhookSecret,
      // A desk needs a founder console; without Slack it is the founder's Telegram chat.
      ...(fakes.slack ? {} : { FOUNDER_TELEGRAM_IDS: SECRETS.founderTelegramId }),
    });
  }
  if (fakes.slack) {
    Object.assign(env, {
      SLACK_BOT_TOKEN: SECRETS.slackBotToken,
      SLACK_SIGNING_SECRET: SECRETS.slackSigningSecret,
      SLACK_API_URL: fakes.slack.apiUrl,
      SLACK_FOUNDER_CHANNEL: SECRETS.founderChannel,
      SLACK_FOUNDER_USERS: SECRETS.founderUser,
    });
  }
  return env;
}

/**
 * Questions against the sample KB (examples/kb): most are answered, "My invoice is wrong" gets
 * "did you mean …?", the last two are escalated to the founder.
 */
export const QUESTIONS = [
  'How do I reset my password?',
  'Can I get a refund?',
  'How much does it cost?',
  'How do I export my data?',
  'My invoice is wrong',
  '如何重置密码？',
  'How do I add a colleague to my team?',
  'Does it work without internet?',
  'How do I cancel?',
  'Do you ship to Mars?',
  'Is there a dark mode?',
];

/** One message of one customer: each customer writes once, from a chat of their own. */
export interface CustomerMessage {
  /** 0, 1, 2 … within a run. */
  n: number;
  platform: Platform;
  /** The customer's chat: Telegram chat id, or the Slack DM channel (D…). */
  chat: string;
  text: string;
  /** The webhook body, the same on every redelivery (Slack re-signs it each time). */
  body: string;
}

/** Telegram private chats (and user ids) of a run start here. */
const TELEGRAM_CHAT_BASE = 700_000_000;

export function telegramCustomerMessage(n: number, text: string, runId = 0): CustomerMessage {
  const chatId = TELEGRAM_CHAT_BASE + runId * 10_000_000 + n;
  const update = {
    update_id: 100_000_000 + runId * 10_000_000 + n,
    message: {
      message_id: 1,
      from: { id: chatId, is_bot: false, first_name: `Customer ${n}`, language_code: 'en' },
      chat: { id: chatId, type: 'private', first_name: `Customer ${n}` },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
  return { n, platform: 'telegram', chat: String(chatId), text, body: JSON.stringify(update) };
}

export function slackCustomerMessage(n: number, text: string, runId = 0): CustomerMessage {
  const suffix = `R${runId.toString(36).toUpperCase()}N${n.toString(36).toUpperCase().padStart(6, '0')}`;
  const user = `U${suffix}`;
  const channel = `D${suffix}`;
  const now = Date.now();
  const ts = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (n % 1000)).padStart(6, '0')}`;
  const envelope = {
    token: 'deprecated-verification-token',
    team_id: 'T1',
    context_team_id: 'T1',
    api_app_id: 'AFAKEAPP',
    event: {
      type: 'message', user, text, ts, channel, channel_type: 'im', event_ts: ts, team: 'T1',
      blocks: [{ type: 'rich_text', block_id: 'rtb1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }],
    },
    type: 'event_callback',
    event_id: `Ev${suffix}`,
    event_time: Math.floor(now / 1000),
    authorizations: [{ enterprise_id: null, team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${suffix}`,
  };
  return { n, platform: 'slack', chat: channel, text, body: JSON.stringify(envelope) };
}

/** Customer `n` of a mixed crowd: every `1/slackShare`-th on Slack, the rest on Telegram. */
export function customerMessage(n: number, options: { slackShare?: number; runId?: number } = {}): CustomerMessage {
  const share = options.slackShare ?? 0.5;
  const text = QUESTIONS[n % QUESTIONS.length]!;
  // Spread evenly: customer n is on Slack when the running count of Slack customers steps up.
  const onSlack = Math.floor((n + 1) * share) > Math.floor(n * share);
  return onSlack ? slackCustomerMessage(n, text, options.runId) : telegramCustomerMessage(n, text, options.runId);
}

export type DeliveryStatus = number | 'timeout' | 'error';

export interface DeliveryResult {
  status: DeliveryStatus;
  /** From the moment the request had a connection to the end of the answer (or the timeout / error). */
  ms: number;
  /**
   * How long it waited for one of the platform's connections first: a platform sends a bot at most
   * so many requests at once and queues the rest (Telegram's `max_connections`, up to 100).
   */
  queuedMs: number;
  /** Retry-After of a refusal, in ms. */
  retryAfterMs?: number;
  error?: string;
}

export const isAck = (r: DeliveryResult): boolean => typeof r.status === 'number' && r.status >= 200 && r.status < 300;

/**
 * Plain node:http with keep-alive: cheap enough to offer thousands of webhooks a second. At most
 * `connections` requests are open at once; the others wait their turn, as in a platform's queue,
 * and the platform's timeout runs from the moment a request is sent.
 */
export class WebhookClient {
  readonly #agent: Agent;

  constructor(readonly origin: string, options: { connections?: number } = {}) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.connections ?? 100 });
  }

  post(path: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<DeliveryResult> {
    const created = performance.now();
    let sent: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    return new Promise((resolve) => {
      let done = false;
      const finish = (result: Omit<DeliveryResult, 'ms' | 'queuedMs'>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const now = performance.now();
        resolve({ ...result, ms: now - (sent ?? created), queuedMs: (sent ?? now) - created });
      };
      const req = request(`${this.origin}${path}`, {
        method: 'POST',
        agent: this.#agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      }, (res) => {
        res.resume();
        res.once('end', () => {
          const retryAfter = parseRetryAfter(res.headers['retry-after']);
          finish({ status: res.statusCode ?? 0, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
        });
        res.once('error', (error) => finish({ status: 'error', error: error.message }));
      });
      // The platform gives up: no answer in time is a failed delivery; the connection is dropped.
      req.once('socket', () => {
        sent = performance.now();
        timer = setTimeout(() => {
          finish({ status: 'timeout' });
          req.destroy();
        }, timeoutMs);
      });
      req.once('error', (error: NodeJS.ErrnoException) => finish({ status: 'error', error: error.code ?? error.message }));
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * One delivery of a customer's message, as its platform makes it: Telegram POSTs the update with
 * the secret token; Slack signs the body with a fresh timestamp and marks redeliveries with
 * X-Slack-Retry-Num / X-Slack-Retry-Reason. `attempt` is 0 for the first delivery.
 */
export function deliver(client: WebhookClient, message: CustomerMessage, attempt: number, previous?: DeliveryResult): Promise<DeliveryResult> {
  if (message.platform === 'telegram') {
    return client.post(TELEGRAM_WEBHOOK_PATH, {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': SECRETS.telegramWebhookSecret,
    }, message.body, PLATFORM_TIMEOUT_MS.telegram);
  }
  const headers: Record<string, string> = {
    ...signSlackRequest({ body: message.body, signingSecret: SECRETS.slackSigningSecret, contentType: 'application/json' }),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (attempt > 0) {
    headers['x-slack-retry-num'] = String(attempt);
    headers['x-slack-retry-reason'] = previous?.status === 'timeout' ? 'http_timeout' : 'http_error';
  }
  return client.post(SLACK_EVENTS_PATH, headers, message.body, PLATFORM_TIMEOUT_MS.slack);
}

/** When the platform delivers again after a refusal: Retry-After when given, else a backoff. */
export function redeliveryDelayMs(result: DeliveryResult, attempt: number, baseMs = 1_000, maxMs = 30_000): number {
  if (result.retryAfterMs !== undefined) return Math.min(result.retryAfterMs, 60_000);
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Delivers until the desk acknowledges (2xx), waiting between attempts as the platform would;
 * gives up after `maxAttempts`. Resolves with every attempt's result.
 */
export async function deliverUntilAcknowledged(
  client: WebhookClient | (() => WebhookClient),
  message: CustomerMessage,
  options: { maxAttempts?: number; baseMs?: number; maxMs?: number; firstAttempt?: number } = {},
): Promise<DeliveryResult[]> {
  const results: DeliveryResult[] = [];
  const first = options.firstAttempt ?? 0;
  for (let attempt = first; attempt < first + (options.maxAttempts ?? 20); attempt++) {
    const target = typeof client === 'function' ? client() : client;
    const result = await deliver(target, message, attempt, results.at(-1));
    results.push(result);
    if (isAck(result)) return results;
    await new Promise((resolve) => setTimeout(resolve, redeliveryDelayMs(result, attempt + 1 - first, options.baseMs ?? 200, options.maxMs ?? 2_000)));
  }
  return results;
}

export interface Reply {
  /** When the ledger first saw it (ms since the epoch; within one poll interval). */
  at: number;
  text: string;
}

/**
 * What reached whom, read from the fakes' call records: successful Telegram sends to a chat,
 * successful Slack chat.postMessage calls to a DM channel, and posts in the founder channel.
 * `poll()` stamps calls recorded since the last poll, so reply times are good to one interval.
 */
export class ReplyLedger {
  readonly #byChat = new Map<string, Reply[]>();
  readonly #founderPosts: Array<{ text: string; threadTs: string | undefined }> = [];
  #telegramCursor = 0;
  #slackCursor = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly fakes: { telegram?: FakeTelegram; slack?: FakeSlack }, private readonly founderChannel: string = SECRETS.founderChannel) {}

  start(intervalMs = 20): this {
    this.#timer ??= setInterval(() => this.poll(), intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.poll();
  }

  poll(now = Date.now()): void {
    const tg = this.fakes.telegram?.calls ?? [];
    while (this.#telegramCursor < tg.length) {
      const call = tg[this.#telegramCursor]!;
      if (call.result === undefined && call.failed === undefined) break; // not answered yet
      this.#telegramCursor += 1;
      if (call.failed !== undefined || !call.method.startsWith('send') || call.method === 'sendChatAction') continue;
      const text = call.method === 'sendMessage' ? call.payload.text : call.payload.caption;
      this.#add(String(call.payload.chat_id), { at: now, text: String(text ?? '') });
    }
    const slack = this.fakes.slack?.calls ?? [];
    while (this.#slackCursor < slack.length) {
      const call = slack[this.#slackCursor]!;
      if (call.response === undefined && call.error === undefined) break;
      this.#slackCursor += 1;
      if (call.method !== 'chat.postMessage' || call.response === undefined) continue;
      const channel = String(call.payload.channel);
      if (channel === this.founderChannel) {
        const threadTs = call.payload.thread_ts;
        this.#founderPosts.push({ text: String(call.payload.text ?? ''), threadTs: threadTs === undefined ? undefined : String(threadTs) });
      }
      else this.#add(channel, { at: now, text: String(call.payload.text ?? '') });
    }
  }

  #add(chat: string, reply: Reply): void {
    const list = this.#byChat.get(chat);
    if (list === undefined) this.#byChat.set(chat, [reply]);
    else list.push(reply);
  }

  repliesTo(chat: string): readonly Reply[] {
    return this.#byChat.get(chat) ?? [];
  }

  /** Posts in the founder channel: roots (a new conversation thread) and thread replies. */
  get founderPosts(): ReadonlyArray<{ text: string; threadTs: string | undefined }> {
    return this.#founderPosts;
  }

  /** Texts this chat received more than once: the same reply delivered twice. */
  repeatedTo(chat: string): string[] {
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const { text } of this.repliesTo(chat)) {
      if (seen.has(text)) repeated.add(text);
      seen.add(text);
    }
    return [...repeated];
  }
}

// What the database holds, on PostgreSQL (pg) or PGlite alike: plain SQL over the schema.

export type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

/** Customer messages stored per chat (`channel:chat` → count). */
export async function storedCustomerMessages(query: Query): Promise<Map<string, number>> {
  const rows = await query(`
    SELECT c.channel AS channel, c."externalChatId" AS chat, count(*)::int AS n
      FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
     WHERE m.direction = 'inbound' AND m.author = 'customer'
     GROUP BY c.channel, c."externalChatId"`);
  return new Map(rows.map((r) => [`${String(r.channel)}:${String(r.chat)}`, Number(r.n)]));
}

export const storedKey = (m: CustomerMessage): string => `${m.platform}:${m.chat}`;

async function hasInbox(query: Query): Promise<boolean> {
  const [row] = await query(`SELECT to_regclass('"InboundEvent"') IS NOT NULL AS present`);
  return row?.present === true;
}

/**
 * Chats (`channel:chat`) with a delivery the desk holds durably: a stored message, or (store first,
 * decide after) a row of the durable inbox not yet turned into one.
 */
export async function durablyReceived(query: Query): Promise<Set<string>> {
  const keys = new Set((await storedCustomerMessages(query)).keys());
  if (await hasInbox(query)) {
    for (const row of await query(`SELECT DISTINCT "chatKey" AS key FROM "InboundEvent"`)) keys.add(String(row.key));
  }
  return keys;
}

/** Durable-inbox rows by status (`pending`, `done`, `rejected`, `failed`); empty before the inbox existed. */
export async function inboxStatuses(query: Query): Promise<Record<string, number>> {
  if (!(await hasInbox(query))) return {};
  const rows = await query(`SELECT status::text AS status, count(*)::int AS n FROM "InboundEvent" GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

/**
 * Work the desk has not finished: outbox rows still pending for the given channels, and (once the
 * durable inbox exists) deliveries not yet decided.
 */
export async function unfinishedWork(query: Query, channels: readonly string[] = ['telegram', 'slack']): Promise<{ outbox: number; inbox: number }> {
  const list = channels.map((c) => `'${c.replace(/'/g, "''")}'`).join(', ');
  const [outbox] = await query(`SELECT count(*)::int AS n FROM "Outbox" WHERE status = 'pending' AND channel IN (${list})`);
  let inbox = 0;
  if (await hasInbox(query)) {
    const [row] = await query(`SELECT count(*)::int AS n FROM "InboundEvent" WHERE status = 'pending'`);
    inbox = Number(row?.n ?? 0);
  }
  return { outbox: Number(outbox?.n ?? 0), inbox };
}

/**
 * Chats (`channel:chat`) the desk still has work for: a delivery not yet decided, or a reply to
 * a customer still waiting in the outbox. An unanswered customer in this set is a backlog, not lost.
 */
export async function chatsWithPendingWork(query: Query): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const row of await query(`SELECT DISTINCT "chatKey" AS key FROM "Outbox" WHERE status = 'pending' AND channel <> 'founder'`)) keys.add(String(row.key));
  if (await hasInbox(query)) {
    for (const row of await query(`SELECT DISTINCT "chatKey" AS key FROM "InboundEvent" WHERE status = 'pending'`)) keys.add(String(row.key));
  }
  return keys;
}

/** Outbox rows by channel and status, e.g. `telegram:failed` → 1. */
export async function outboxStatuses(query: Query): Promise<Record<string, number>> {
  const rows = await query(`SELECT channel, status::text AS status, count(*)::int AS n FROM "Outbox" GROUP BY channel, status`);
  return Object.fromEntries(rows.map((r) => [`${String(r.channel)}:${String(r.status)}`, Number(r.n)]));
}

/** Polls `check` until it returns true; on time-out throws with `describe()` (what is missing). */
export async function waitUntil(check: () => boolean | Promise<boolean>, options: { timeoutMs: number; label: string; describe?: () => string | Promise<string>; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) {
      const detail = options.describe ? `: ${await options.describe()}` : '';
      throw new Error(`${options.label}: not reached within ${options.timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
