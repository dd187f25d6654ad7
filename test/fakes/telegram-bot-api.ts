/**
 * A loopback fake of the Telegram Bot API for grammY:
 * `new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo })`.
 * grammY POSTs JSON to `{apiRoot}/bot{token}/{method}` (multipart only for uploads) and reads
 * `{ ok, result }` / `{ ok: false, error_code, description, parameters }` whatever the status.
 */
import type { Update, UserFromGetMe } from 'grammy/types';
import {
  asRecord, FailureScript, FaultRules, sleep, startHttpFake, waitForCall,
  type FakeRequest, type FakeResponse, type FaultOptions, type NetworkFault,
} from './http-fake.ts';

export interface TelegramCall {
  method: string;
  payload: Record<string, unknown>;
  /** What the fake answered with `ok: true` (e.g. the sent Message). */
  result?: unknown;
  /** The error this call was answered with (scripted or a Telegram rule), if any. */
  failed?: TelegramError;
}

export interface TelegramError {
  error_code: number;
  description: string;
  retry_after?: number;
}

/**
 * What fault injection can do to a call: answer with a Telegram error (429 with retry_after, 500,
 * 403 …), or fail at the network level — `hang` never answers, `reset` cuts the connection.
 * A call hit by a fault is recorded with `failed` set (error_code 0 for network faults).
 */
export type TelegramFault = TelegramError | { network: NetworkFault };

export interface SentTelegramMessage {
  method: string;
  chat_id: number | string;
  message_id: number;
  /** `text` for sendMessage, `caption` for media. */
  text: string | undefined;
  reply_markup: unknown;
  parse_mode: string | undefined;
  payload: Record<string, unknown>;
}

export interface FakeTelegramOptions {
  token?: string;
  /** Upper bound for how long getUpdates holds a request (default 1000 ms). */
  maxLongPollMs?: number;
}

export interface FakeTelegram {
  apiRoot: string;
  token: string;
  /** Pass as `botInfo` to `new Bot()` so grammY skips its start-up getMe. */
  botInfo: UserFromGetMe;
  calls: TelegramCall[];
  callsOf(method: string): TelegramCall[];
  sent(): SentTelegramMessage[];
  failNext(method: string, error: TelegramError, times?: number): void;
  /** Fault injection per method, optionally only for matching payloads (e.g. one chat_id). */
  injectFault(method: string, fault: TelegramFault, options?: FaultOptions): void;
  /** Ends faults injected with `times: Infinity` (of one method, or all). */
  clearFaults(method?: string): void;
  pushUpdate(update: Update): void;
  /** Stored by setWebhook: `{ url, secret_token }`; url is '' when no webhook is set. */
  webhook(): { url: string; secret_token: string | undefined };
  /** Serve `bytes` for a file_id at `GET {apiRoot}/file/bot{token}/{file_path}`. */
  putFile(fileId: string, bytes: Uint8Array | string, filePath?: string): void;
  waitFor(predicate: (call: TelegramCall) => boolean, timeoutMs?: number): Promise<TelegramCall>;
  close(): Promise<void>;
}

/** Scripted errors with Telegram's real descriptions. */
export const telegramErrors = {
  tooManyRequests: (retryAfter = 3): TelegramError => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    retry_after: retryAfter,
  }),
  blocked: (): TelegramError => ({ error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
  chatNotFound: (): TelegramError => ({ error_code: 400, description: 'Bad Request: chat not found' }),
  internalServerError: (): TelegramError => ({ error_code: 500, description: 'Internal Server Error' }),
};

const SEND_METHODS: Record<string, string | undefined> = {
  sendMessage: undefined,
  sendPhoto: 'photo',
  sendDocument: 'document',
  sendVoice: 'voice',
  sendAudio: 'audio',
  sendVideo: 'video',
  sendAnimation: 'animation',
  sendSticker: 'sticker',
};

function chatFor(chatId: unknown): Record<string, unknown> {
  if (typeof chatId === 'string' && chatId.startsWith('@')) return { id: -1001000000000, type: 'channel', username: chatId.slice(1) };
  const id = Number(chatId);
  if (id < 0) return { id, type: String(id).startsWith('-100') ? 'supergroup' : 'group', title: 'Test Group' };
  return { id, type: 'private', first_name: 'Test' };
}

const NUMERIC_FIELDS = new Set(['chat_id', 'message_id', 'reply_to_message_id', 'offset', 'limit', 'timeout', 'user_id']);
const BOOLEAN_FIELDS = new Set(['disable_notification', 'protect_content', 'drop_pending_updates', 'show_alert', 'has_spoiler']);
const JSON_FIELDS = new Set(['reply_markup', 'entities', 'caption_entities', 'reply_parameters', 'link_preview_options', 'allowed_updates', 'commands', 'scope']);

/** Multipart, form and query payloads carry strings only: decode them as Telegram does. */
function decodeStringFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string') out[key] = value;
    else if (NUMERIC_FIELDS.has(key) && /^-?\d+$/.test(value)) out[key] = Number(value);
    else if (JSON_FIELDS.has(key)) {
      try { out[key] = JSON.parse(value); } catch { out[key] = value; }
    } else if (BOOLEAN_FIELDS.has(key) && (value === 'true' || value === 'false')) out[key] = value === 'true';
    else out[key] = value;
  }
  return out;
}

function ok(result: unknown): FakeResponse {
  return { json: { ok: true, result } };
}

function fail(error: TelegramError): FakeResponse {
  const body: Record<string, unknown> = { ok: false, error_code: error.error_code, description: error.description };
  if (error.retry_after !== undefined) body.parameters = { retry_after: error.retry_after };
  return { status: error.error_code, json: body };
}

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456789:AAFakeTokenForSolodeskTests_0123456789';
  const maxLongPollMs = options.maxLongPollMs ?? 1000;
  const botId = Number(token.split(':')[0]) || 123456789;
  const botInfo: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: 'Solodesk Test Bot',
    username: 'solodesk_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  const calls: TelegramCall[] = [];
  const failures = new FailureScript<TelegramError>();
  const faults = new FaultRules<TelegramFault>();
  const messages = new Map<string, Record<string, unknown>>();
  const files = new Map<string, { bytes: Uint8Array; path: string }>();
  let queue: Update[] = [];
  let wake: (() => void)[] = [];
  let webhook: { url: string; secret_token: string | undefined } = { url: '', secret_token: undefined };
  let commands: unknown = [];
  let nextMessageId = 1000;
  let nextFileNo = 1;
  const now = (): number => Math.floor(Date.now() / 1000);

  function notify(): void {
    const waiting = wake;
    wake = [];
    for (const fn of waiting) fn();
  }

  async function getUpdates(payload: Record<string, unknown>, signal: AbortSignal): Promise<FakeResponse> {
    if (webhook.url !== '') {
      return fail({ error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
    }
    const offset = Number(payload.offset ?? 0);
    const limit = Math.min(Math.max(Number(payload.limit ?? 100), 1), 100);
    // Telegram forgets every update below a positive offset once it is confirmed.
    if (offset > 0) queue = queue.filter((u) => u.update_id >= offset);
    const timeoutMs = Math.min(Number(payload.timeout ?? 0) * 1000, maxLongPollMs);
    if (queue.length === 0 && timeoutMs > 0 && !signal.aborted) {
      // One abort ends the wait: a pushed update, close(), or nothing (the timer).
      const done = new AbortController();
      const onClose = (): void => done.abort();
      signal.addEventListener('abort', onClose, { once: true });
      wake.push(onClose);
      await sleep(timeoutMs, done.signal);
      signal.removeEventListener('abort', onClose);
      wake = wake.filter((fn) => fn !== onClose);
    }
    return ok(queue.slice(0, limit));
  }

  function send(method: string, payload: Record<string, unknown>): FakeResponse {
    const message: Record<string, unknown> = {
      message_id: nextMessageId++,
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      chat: chatFor(payload.chat_id),
      date: now(),
    };
    const kind = SEND_METHODS[method];
    if (kind === undefined) {
      message.text = payload.text;
      if (payload.entities !== undefined) message.entities = payload.entities;
    } else {
      const fileId = `fake-${kind}-${nextFileNo++}`;
      const file = { file_id: fileId, file_unique_id: `u${fileId}` };
      message[kind] = kind === 'photo' ? [{ ...file, width: 320, height: 240 }] : file;
      if (payload.caption !== undefined) message.caption = payload.caption;
    }
    if (payload.reply_markup !== undefined) message.reply_markup = payload.reply_markup;
    messages.set(`${String(payload.chat_id)}:${String(message.message_id)}`, message);
    return ok(message);
  }

  function edit(method: string, payload: Record<string, unknown>): FakeResponse {
    if (payload.inline_message_id !== undefined) return ok(true);
    const key = `${String(payload.chat_id)}:${String(payload.message_id)}`;
    const known = messages.get(key);
    const current: Record<string, unknown> = known ?? { message_id: Number(payload.message_id), chat: chatFor(payload.chat_id), date: now() };
    const next: Record<string, unknown> = { ...current, edit_date: now() };
    if (method === 'editMessageText') next.text = payload.text;
    if (method === 'editMessageCaption') next.caption = payload.caption;
    if (payload.reply_markup === undefined) delete next.reply_markup;
    else next.reply_markup = payload.reply_markup;
    if (known !== undefined && next.text === known.text && next.caption === known.caption
      && JSON.stringify(next.reply_markup) === JSON.stringify(known.reply_markup)) {
      return fail({
        error_code: 400,
        description: 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      });
    }
    messages.set(key, next);
    return ok(next);
  }

  function getFile(payload: Record<string, unknown>): FakeResponse {
    const fileId = String(payload.file_id ?? '');
    if (fileId === '') return fail({ error_code: 400, description: 'Bad Request: invalid file_id' });
    const stored = files.get(fileId);
    return ok({
      file_id: fileId,
      file_unique_id: `u${fileId}`,
      file_size: stored?.bytes.byteLength ?? 4,
      file_path: stored?.path ?? `documents/${fileId}.bin`,
    });
  }

  async function dispatch(method: string, payload: Record<string, unknown>, signal: AbortSignal): Promise<FakeResponse> {
    if (method in SEND_METHODS) return send(method, payload);
    switch (method) {
      case 'getMe': return ok(botInfo);
      case 'getUpdates': return getUpdates(payload, signal);
      case 'editMessageText':
      case 'editMessageCaption':
      case 'editMessageReplyMarkup': return edit(method, payload);
      case 'setWebhook':
        if (typeof payload.secret_token === 'string' && !/^[A-Za-z0-9_-]{1,256}$/.test(payload.secret_token)) {
          return fail({ error_code: 400, description: 'Bad Request: secret token contains unallowed characters' });
        }
        webhook = { url: String(payload.url ?? ''), secret_token: payload.secret_token as string | undefined };
        if (payload.drop_pending_updates === true) queue = [];
        return ok(true);
      case 'deleteWebhook':
        webhook = { url: '', secret_token: undefined };
        if (payload.drop_pending_updates === true) queue = [];
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: webhook.url, has_custom_certificate: false, pending_update_count: queue.length });
      case 'setMyCommands': commands = payload.commands ?? []; return ok(true);
      case 'getMyCommands': return ok(commands);
      case 'getFile': return getFile(payload);
      default: return ok(true); // answerCallbackQuery, sendChatAction, … and anything unknown
    }
  }

  const server = await startHttpFake(async (req: FakeRequest): Promise<FakeResponse> => {
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.path);
    if (file !== null) {
      const stored = [...files.values()].find((f) => f.path === file[2]);
      if (file[1] !== token || stored === undefined) return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found' } };
      return { bytes: stored.bytes };
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (match === null) return { status: 404, json: { ok: false, error_code: 404, description: 'Not Found' } };
    if (match[1] !== token) return { status: 401, json: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const method = match[2] ?? '';
    const isJson = req.contentType.toLowerCase().startsWith('application/json');
    const payload = {
      ...decodeStringFields(Object.fromEntries(req.query)),
      ...(isJson ? asRecord(req.body) : decodeStringFields(asRecord(req.body))),
    };
    const call: TelegramCall = { method, payload };
    calls.push(call);
    const fault = faults.take(method, payload);
    if (fault !== undefined && 'network' in fault) {
      call.failed = { error_code: 0, description: `network fault: ${fault.network}` };
      return { drop: fault.network };
    }
    const failure = fault ?? failures.take(method);
    if (failure !== undefined) {
      call.failed = failure;
      return fail(failure);
    }
    const out = await dispatch(method, payload, req.signal);
    const answer = asRecord(out.json);
    if (answer.ok === true) call.result = answer.result;
    else call.failed = { error_code: Number(answer.error_code), description: String(answer.description) };
    return out;
  });

  return {
    apiRoot: server.origin,
    token,
    botInfo,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    sent: () => calls
      .filter((c) => c.method in SEND_METHODS && c.failed === undefined)
      .map((c) => ({
        method: c.method,
        chat_id: c.payload.chat_id as number | string,
        message_id: Number(asRecord(c.result).message_id),
        text: (c.method === 'sendMessage' ? c.payload.text : c.payload.caption) as string | undefined,
        reply_markup: c.payload.reply_markup,
        parse_mode: c.payload.parse_mode as string | undefined,
        payload: c.payload,
      })),
    failNext: (method, error, times = 1) => failures.add(method, error, times),
    injectFault: (method, fault, faultOptions) => faults.add(method, fault, faultOptions),
    clearFaults: (method) => faults.clear(method),
    pushUpdate(update) {
      queue.push(update);
      notify();
    },
    webhook: () => ({ ...webhook }),
    putFile(fileId, bytes, filePath) {
      const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
      files.set(fileId, { bytes: data, path: filePath ?? `documents/${fileId}.bin` });
    },
    waitFor: (predicate, timeoutMs = 2000) =>
      waitForCall(calls, predicate, timeoutMs, 'fake Telegram waitFor', (c) => `${c.method} ${JSON.stringify(c.payload).slice(0, 160)}`),
    close: () => {
      notify();
      return server.close();
    },
  };
}
