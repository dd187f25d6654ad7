import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DAY_NAMES, parseBusinessHours, type BusinessHours } from './business-hours.ts';
import { ConfigError } from '../errors.ts';

// The one configuration loader (DESIGN.md §4 "Environment"). A problem names its variable and
// never echoes the value: values may be secrets.

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const httpUrl = (what: string) =>
  optionalString.refine((s) => s === undefined || /^https?:\/\/[^\s]+$/.test(s), {
    message: `must be an http(s) URL (${what})`,
  });

const idList = (pattern: RegExp, what: string) =>
  optionalString
    .transform((s) => (s ? s.split(',').map((p) => p.trim()).filter(Boolean) : []))
    .refine((ids) => ids.every((id) => pattern.test(id)), { message: `must be a comma-separated list of ${what}` });

const envSchema = z.object({
  DATABASE_URL: optionalString.refine((s) => s === undefined || isPostgresUrl(s), {
    message: 'must be a postgresql:// URL (unset it to use the embedded database)',
  }),
  SOLODESK_DATA_DIR: optionalString.transform((s) => s ?? './.solodesk'),
  PORT: optionalString
    .transform((s) => (s === undefined ? 3000 : Number(s)))
    .refine((n) => Number.isInteger(n) && n >= 0 && n <= 65535, { message: 'must be a port number (0–65535)' }),
  PUBLIC_URL: httpUrl('the address platforms use to reach this server, e.g. https://desk.example.com'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),

  TELEGRAM_BOT_TOKEN: optionalString.refine((s) => s === undefined || /^\d+:[A-Za-z0-9_-]+$/.test(s), {
    message: 'is not a Telegram bot token (expected <digits>:<letters>, from @BotFather)',
  }),
  TELEGRAM_WEBHOOK_SECRET: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(s), {
    message: 'must be 1–256 characters of A–Z, a–z, 0–9, _ and -',
  }),
  TELEGRAM_API_ROOT: httpUrl('a Bot API server root').transform((s) => s?.replace(/\/+$/, '')),

  SLACK_BOT_TOKEN: optionalString.refine((s) => s === undefined || s.startsWith('xoxb-'), {
    message: 'must be a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine((s) => s === undefined || s.startsWith('xapp-'), {
    message: 'must be an app-level token starting with xapp-',
  }),
  SLACK_API_URL: httpUrl('a Slack Web API root').transform((s) => (s && !s.endsWith('/') ? `${s}/` : s)),
  SLACK_FOUNDER_CHANNEL: optionalString.refine((s) => s === undefined || /^[CG][A-Z0-9]+$/.test(s), {
    message: 'must be a Slack channel id such as C0123456789',
  }),
  SLACK_FOUNDER_USERS: idList(/^[UW][A-Z0-9]+$/, 'Slack user ids (U…)'),
  FOUNDER_TELEGRAM_IDS: idList(/^\d+$/, 'numeric Telegram user ids'),

  WECHATY_PUPPET: optionalString,
  WECHATY_PUPPET_TOKEN: optionalString,
  // `true` accepts every friend request; any other text is a keyword the request's greeting must
  // contain (e.g. an order number prefix); unset or `false` leaves each request to the founder.
  WECHATY_ACCEPT_FRIENDS: optionalString,
  WECHAT_PER_CHAT_INTERVAL_MS: wholeNumber(0, 'milliseconds'),
  WECHAT_MAX_PER_MINUTE: wholeNumber(1, 'messages per minute'),

  // WeChat Official Account (公众号) customer-service messages: the account's AppID and AppSecret,
  // and the server configuration's Token and (safe mode only) EncodingAESKey.
  WECHAT_OA_APP_ID: optionalString,
  WECHAT_OA_APP_SECRET: optionalString,
  WECHAT_OA_TOKEN: optionalString,
  WECHAT_OA_AES_KEY: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9+/]{43}$/.test(s), {
    message: 'must be the 43-character EncodingAESKey from the Official Account admin console (unset it for plaintext mode)',
  }),
  WECHAT_API_ROOT: httpUrl('a WeChat API root').transform((s) => s?.replace(/\/+$/, '')),

  // WeCom customer service (微信客服): the corp, the customer-service app's secret, and the
  // callback's Token and EncodingAESKey from the admin console's API page.
  WECOM_CORP_ID: optionalString,
  WECOM_KF_SECRET: optionalString,
  WECOM_TOKEN: optionalString,
  WECOM_AES_KEY: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9+/]{43}$/.test(s), {
    message: 'must be the 43-character EncodingAESKey from the WeCom admin console',
  }),
  WECOM_API_ROOT: httpUrl('a WeCom API root').transform((s) => s?.replace(/\/+$/, '')),

  // The web chat widget (adapters/web): on unless WEB_CHAT=off. Sites other than this server that
  // may embed it, as origins (https://example.com); and the HMAC secret of identity verification.
  WEB_CHAT: z.enum(['on', 'off']).optional(),
  WEB_ALLOWED_ORIGINS: optionalString
    .transform((s) => (s ? s.split(',').map((p) => p.trim()).filter(Boolean) : []))
    .refine((origins) => origins.every(isOrigin), {
      message: 'must be a comma-separated list of origins such as https://www.example.com (scheme, host and port only, no path)',
    })
    .transform((origins) => origins.map((o) => new URL(o).origin)),
  WEB_IDENTITY_SECRET: optionalString.refine((s) => s === undefined || s.length >= 16, {
    message: 'must be at least 16 characters (the secret your site signs user ids with)',
  }),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl('an OpenAI-compatible API root'),
  OPENAI_MODEL: optionalString.transform((s) => s ?? 'gpt-4o-mini'),
  // e.g. text-embedding-3-small; unset, the KB ranks by words alone
  OPENAI_EMBEDDING_MODEL: optionalString,
  LLM_MODE: z.enum(['off', 'draft', 'auto']).optional(),
  LLM_DAILY_TOKENS: wholeNumber(1, 'tokens per UTC day'),
  LLM_TIMEOUT_MS: wholeNumber(1, 'milliseconds'),
  LLM_FOUNDER_TOPICS: optionalString.transform((s, ctx) => {
    if (s === undefined) return undefined;
    const topics = parseFounderTopics(s);
    if (topics === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be "name: term, term; name: term …" (e.g. "shipping damage: broken, damaged, 破损")' });
      return z.NEVER;
    }
    return topics;
  }),

  BUSINESS_HOURS: optionalString,
  BUSINESS_TIMEZONE: optionalString,
  KB_ANSWER_THRESHOLD: probability(),
  KB_SUGGEST_THRESHOLD: probability(),
  KB_FIT_CACHE_DIR: optionalString,
  FLOOD_LIMIT_PER_MINUTE: optionalString
    .transform((s) => (s === undefined ? undefined : Number(s)))
    .refine((n) => n === undefined || (Number.isInteger(n) && n >= 1), { message: 'must be a whole number ≥ 1' }),
  // Satisfaction ratings (core/satisfaction/): asked unless CSAT=off; a bot answer left alone this
  // long counts as accepted and is asked about.
  CSAT: z.enum(['on', 'off']).optional(),
  CSAT_AFTER_ANSWER_MS: wholeNumber(60_000, 'milliseconds'),
  // Reports: how fast a CSAT rating loses weight in the satisfaction score (core/insight/satisfaction-score.ts).
  CSAT_HALF_LIFE_DAYS: optionalString
    .transform((s) => (s === undefined ? undefined : Number(s)))
    .refine((n) => n === undefined || (Number.isFinite(n) && n > 0), { message: 'must be a number of days > 0' }),
  // The weekly digest to the founder console: "Mon 09:00" in BUSINESS_TIMEZONE (UTC without it), or "off".
  DIGEST_SCHEDULE: optionalString.refine((s) => s === undefined || digestScheduleOf(s, 'UTC') !== undefined, {
    message: 'must be a weekday and a time such as "Mon 09:00", or "off"',
  }),
});

/** A whole number ≥ `min`, or unset. */
function wholeNumber(min: number, unit: string) {
  return optionalString
    .transform((s) => (s === undefined ? undefined : Number(s)))
    .refine((n) => n === undefined || (Number.isInteger(n) && n >= min), { message: `must be a whole number ≥ ${min} (${unit})` });
}

function probability() {
  return optionalString
    .transform((s) => (s === undefined ? undefined : Number(s)))
    .refine((n) => n === undefined || (Number.isFinite(n) && n >= 0 && n <= 1), { message: 'must be a number from 0 to 1' });
}

/** `https://www.example.com` or `http://localhost:8080`: an origin exactly, nothing after it. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && value.replace(/\/$/, '') === url.origin;
  } catch {
    return false;
  }
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgresql:' || url.protocol === 'postgres:') && url.hostname !== '';
  } catch {
    return false;
  }
}

type Env = z.infer<typeof envSchema>;

export interface Config {
  database: { url: string | undefined; dataDir: string };
  port: number;
  publicUrl: string | undefined;
  logLevel: string | undefined;
  telegram?: { token: string; webhookSecret?: string; apiRoot?: string; founderIds: string[] };
  slack?: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    founderChannel?: string;
    founderUsers: string[];
  };
  wechaty?: {
    puppet: string;
    token?: string;
    /** Friend requests accepted without the founder: none, all, or those whose greeting holds a keyword. */
    acceptFriends: { kind: 'never' } | { kind: 'always' } | { kind: 'keyword'; keyword: string };
    /** Pacing of the bot's sends (WeChat restricts personal accounts that send like a bot). */
    perChatIntervalMs: number;
    maxPerMinute: number;
  };
  /** WeChat Official Account (公众号): without aesKey the callbacks are in plaintext mode. */
  wechatOfficial?: { appId: string; appSecret: string; token: string; aesKey?: string; apiRoot: string };
  /** WeCom customer service (微信客服): all four credentials, or the channel is off. */
  wecom?: { corpId: string; secret: string; token: string; aesKey: string; apiRoot: string };
  /** The web chat widget: off only with WEB_CHAT=off. */
  web?: { allowedOrigins: string[]; identitySecret?: string };
  llm: {
    mode: 'off' | 'draft' | 'auto';
    apiKey?: string;
    baseUrl?: string;
    model: string;
    /** Tokens the drafter may spend per UTC day (prompt and completion); then it stands aside. */
    dailyTokens: number;
    /** The longest one request to the LLM may take, the SDK retry included, before the founder is asked instead. */
    timeoutMs: number;
    /** Topics added to the built-in ones (a person, refunds, complaints, legal …) that always reach the founder. */
    founderTopics: Array<{ name: string; terms: string[] }>;
    /** The KB's embedding model (OPENAI_EMBEDDING_MODEL); set only when the LLM server is configured. */
    embeddingModel?: string;
  };
  businessHours: BusinessHours | undefined;
  /** fitCacheDir: where fits are kept between runs (KB_FIT_CACHE_DIR; unset: the data folder's kb-fits/, none in memory) */
  kb: { answerThreshold: number | undefined; suggestThreshold: number | undefined; fitCacheDir: string | undefined };
  floodLimitPerMinute: number | undefined;
  /** Satisfaction ratings: CSAT (on by default) and CSAT_AFTER_ANSWER_MS (the core's default when unset). */
  csat: { enabled: boolean; afterAnswerMs: number | undefined };
  insight: {
    /** CSAT_HALF_LIFE_DAYS; the score's own default when unset. */
    csatHalfLifeDays: number | undefined;
    /** When the weekly digest goes out (local to timeZone); null when DIGEST_SCHEDULE is off. */
    digest: DigestSchedule | null;
  };
}

export interface DigestSchedule {
  /** 0 = Sunday … 6 = Saturday */
  day: number;
  minute: number;
  timeZone: string;
}

/** "Mon 09:00" → the digest's weekly time; null for "off"; undefined when it is neither. */
function digestScheduleOf(value: string, timeZone: string): DigestSchedule | null | undefined {
  if (value.trim().toLowerCase() === 'off') return null;
  const match = /^\s*([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})\s*$/i.exec(value);
  const day = match ? DAY_NAMES.indexOf(match[1]!.toLowerCase()) : -1;
  if (!match || day < 0 || Number(match[2]) > 23 || Number(match[3]) > 59) return undefined;
  return { day, minute: Number(match[2]) * 60 + Number(match[3]), timeZone };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'configuration')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const problems = crossFieldProblems(e);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(e);
}

function crossFieldProblems(e: Env): string[] {
  const problems: string[] = [];
  if (e.TELEGRAM_WEBHOOK_SECRET && !e.TELEGRAM_BOT_TOKEN) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: is set but TELEGRAM_BOT_TOKEN is not');
  }
  if (e.FOUNDER_TELEGRAM_IDS.length > 0 && !e.TELEGRAM_BOT_TOKEN) {
    problems.push('FOUNDER_TELEGRAM_IDS: is set but TELEGRAM_BOT_TOKEN is not');
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET: is required with SLACK_BOT_TOKEN over HTTP (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (!e.SLACK_BOT_TOKEN) {
    for (const name of ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_FOUNDER_CHANNEL'] as const) {
      if (e[name]) problems.push(`${name}: is set but SLACK_BOT_TOKEN is not`);
    }
  }
  if (!e.WECHATY_PUPPET) {
    for (const name of ['WECHATY_PUPPET_TOKEN', 'WECHATY_ACCEPT_FRIENDS', 'WECHAT_PER_CHAT_INTERVAL_MS', 'WECHAT_MAX_PER_MINUTE'] as const) {
      if (e[name] !== undefined) problems.push(`${name}: is set but WECHATY_PUPPET is not`);
    }
  }
  problems.push(...wecomProblems(e));
  problems.push(...wechatOfficialProblems(e));
  if (e.LLM_MODE && e.LLM_MODE !== 'off' && !e.OPENAI_API_KEY && !e.OPENAI_BASE_URL) {
    problems.push(`LLM_MODE: is "${e.LLM_MODE}" but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set`);
  }
  // Said rather than ignored: a founder who set a model expects the KB to use it.
  if (e.OPENAI_EMBEDDING_MODEL && !e.OPENAI_API_KEY && !e.OPENAI_BASE_URL) {
    problems.push('OPENAI_EMBEDDING_MODEL: is set but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set');
  }
  if (e.BUSINESS_HOURS) {
    const hours = parseBusinessHours(e.BUSINESS_HOURS, e.BUSINESS_TIMEZONE ?? 'UTC');
    if (typeof hours === 'string') problems.push(`BUSINESS_HOURS: ${hours}`);
  } else if (e.BUSINESS_TIMEZONE) {
    problems.push('BUSINESS_TIMEZONE: is set but BUSINESS_HOURS is not');
  }
  if (e.KB_ANSWER_THRESHOLD !== undefined && e.KB_SUGGEST_THRESHOLD !== undefined && e.KB_SUGGEST_THRESHOLD > e.KB_ANSWER_THRESHOLD) {
    problems.push('KB_SUGGEST_THRESHOLD: must not be above KB_ANSWER_THRESHOLD');
  }
  return problems;
}

/** WeCom needs all four credentials: a half-set block names each one missing. */
function wecomProblems(e: Env): string[] {
  const required = ['WECOM_CORP_ID', 'WECOM_KF_SECRET', 'WECOM_TOKEN', 'WECOM_AES_KEY'] as const;
  const set = required.filter((name) => e[name] !== undefined);
  if (set.length === 0) return e.WECOM_API_ROOT ? ['WECOM_API_ROOT: is set but WECOM_CORP_ID is not'] : [];
  return required.filter((name) => e[name] === undefined).map((name) => `${name}: is required with ${set.join(', ')} (WeCom customer service)`);
}

/** The Official Account needs its three credentials; the EncodingAESKey only in safe mode. */
function wechatOfficialProblems(e: Env): string[] {
  const required = ['WECHAT_OA_APP_ID', 'WECHAT_OA_APP_SECRET', 'WECHAT_OA_TOKEN'] as const;
  const set = required.filter((name) => e[name] !== undefined);
  if (set.length === 0) {
    return (['WECHAT_OA_AES_KEY', 'WECHAT_API_ROOT'] as const).filter((name) => e[name] !== undefined).map((name) => `${name}: is set but WECHAT_OA_APP_ID is not`);
  }
  return required.filter((name) => e[name] === undefined).map((name) => `${name}: is required with ${set.join(', ')} (WeChat Official Account)`);
}

/**
 * The LLM's spending cap. A draft (the rules, three or four KB articles, a question, an answer)
 * costs about 2 000 tokens, so 200 000 is about a hundred drafts a day: more than a one-person
 * desk answers, cents on a small model, and a hard stop on what a loop or a message flood can
 * spend before the founder notices. The timeout: a customer waits for the draft, and past 20 s
 * asking the founder is the better use of their time.
 */
/** `refund policy: refund, 退款; shipping damage: broken, 破损` → topics; undefined when malformed. */
function parseFounderTopics(value: string): Array<{ name: string; terms: string[] }> | undefined {
  const topics = value.split(/[;；]/).map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const colon = part.search(/[:：]/);
    if (colon <= 0) return undefined;
    const terms = part.slice(colon + 1).split(/[,，、]/).map((t) => t.trim()).filter((t) => t !== '');
    return terms.length === 0 ? undefined : { name: part.slice(0, colon).trim(), terms };
  });
  return topics.length > 0 && topics.every((t) => t !== undefined) ? (topics as Array<{ name: string; terms: string[] }>) : undefined;
}

export const LLM_DEFAULTS = { dailyTokens: 200_000, timeoutMs: 20_000 } as const;

/** WeChat's API for Official Accounts, unless WECHAT_API_ROOT points elsewhere (a proxy, a test's fake). */
export const WECHAT_DEFAULT_API_ROOT = 'https://api.weixin.qq.com';

/** WeCom's API, unless WECOM_API_ROOT points elsewhere (a proxy, or a test's fake). */
export const WECOM_DEFAULT_API_ROOT = 'https://qyapi.weixin.qq.com';

/**
 * WeChat has no published send limits for personal accounts, and accounts that answer faster than
 * a person types, or send in bursts, are restricted. 3 s between two messages to one chat and 20 a
 * minute overall keep the bot at a human pace; a desk with more traffic belongs on the Official
 * Account or WeCom channels.
 */
export const WECHAT_PACING = { perChatIntervalMs: 3_000, maxPerMinute: 20 } as const;

function acceptFriendsOf(value: string | undefined): NonNullable<Config['wechaty']>['acceptFriends'] {
  if (value === undefined || value.toLowerCase() === 'false') return { kind: 'never' };
  if (value.toLowerCase() === 'true') return { kind: 'always' };
  return { kind: 'keyword', keyword: value };
}

function toConfig(e: Env): Config {
  const llmConfigured = Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL);
  return {
    database: { url: e.DATABASE_URL, dataDir: e.SOLODESK_DATA_DIR },
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          apiRoot: e.TELEGRAM_API_ROOT,
          founderIds: e.FOUNDER_TELEGRAM_IDS,
        }
      : undefined,
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
          founderChannel: e.SLACK_FOUNDER_CHANNEL,
          founderUsers: e.SLACK_FOUNDER_USERS,
        }
      : undefined,
    wechaty: e.WECHATY_PUPPET
      ? {
          puppet: e.WECHATY_PUPPET,
          token: e.WECHATY_PUPPET_TOKEN,
          acceptFriends: acceptFriendsOf(e.WECHATY_ACCEPT_FRIENDS),
          perChatIntervalMs: e.WECHAT_PER_CHAT_INTERVAL_MS ?? WECHAT_PACING.perChatIntervalMs,
          maxPerMinute: e.WECHAT_MAX_PER_MINUTE ?? WECHAT_PACING.maxPerMinute,
        }
      : undefined,
    wechatOfficial:
      e.WECHAT_OA_APP_ID && e.WECHAT_OA_APP_SECRET && e.WECHAT_OA_TOKEN
        ? {
            appId: e.WECHAT_OA_APP_ID,
            appSecret: e.WECHAT_OA_APP_SECRET,
            token: e.WECHAT_OA_TOKEN,
            ...(e.WECHAT_OA_AES_KEY ? { aesKey: e.WECHAT_OA_AES_KEY } : {}),
            apiRoot: e.WECHAT_API_ROOT ?? WECHAT_DEFAULT_API_ROOT,
          }
        : undefined,
    wecom:
      e.WECOM_CORP_ID && e.WECOM_KF_SECRET && e.WECOM_TOKEN && e.WECOM_AES_KEY
        ? { corpId: e.WECOM_CORP_ID, secret: e.WECOM_KF_SECRET, token: e.WECOM_TOKEN, aesKey: e.WECOM_AES_KEY, apiRoot: e.WECOM_API_ROOT ?? WECOM_DEFAULT_API_ROOT }
        : undefined,
    web: e.WEB_CHAT === 'off' ? undefined : { allowedOrigins: e.WEB_ALLOWED_ORIGINS, ...(e.WEB_IDENTITY_SECRET ? { identitySecret: e.WEB_IDENTITY_SECRET } : {}) },
    llm: {
      mode: e.LLM_MODE ?? (llmConfigured ? 'draft' : 'off'),
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      dailyTokens: e.LLM_DAILY_TOKENS ?? LLM_DEFAULTS.dailyTokens,
      timeoutMs: e.LLM_TIMEOUT_MS ?? LLM_DEFAULTS.timeoutMs,
      founderTopics: e.LLM_FOUNDER_TOPICS ?? [],
      ...(llmConfigured && e.OPENAI_EMBEDDING_MODEL ? { embeddingModel: e.OPENAI_EMBEDDING_MODEL } : {}),
    },
    businessHours: e.BUSINESS_HOURS ? (parseBusinessHours(e.BUSINESS_HOURS, e.BUSINESS_TIMEZONE ?? 'UTC') as BusinessHours) : undefined,
    kb: {
      answerThreshold: e.KB_ANSWER_THRESHOLD,
      suggestThreshold: e.KB_SUGGEST_THRESHOLD,
      fitCacheDir: e.KB_FIT_CACHE_DIR ?? (e.SOLODESK_DATA_DIR.startsWith('memory://') ? undefined : join(resolve(e.SOLODESK_DATA_DIR), 'kb-fits')),
    },
    floodLimitPerMinute: e.FLOOD_LIMIT_PER_MINUTE,
    csat: { enabled: e.CSAT !== 'off', afterAnswerMs: e.CSAT_AFTER_ANSWER_MS },
    insight: {
      csatHalfLifeDays: e.CSAT_HALF_LIFE_DAYS,
      digest: digestScheduleOf(e.DIGEST_SCHEDULE ?? 'Mon 09:00', e.BUSINESS_TIMEZONE ?? 'UTC') ?? null,
    },
  };
}
