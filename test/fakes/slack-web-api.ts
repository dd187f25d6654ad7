/**
 * A loopback fake of the Slack Web API for @slack/web-api and Bolt:
 * `new WebClient(token, { slackApiUrl: fake.apiUrl })` or
 * `new App({ …, clientOptions: { slackApiUrl: fake.apiUrl }, tokenVerificationEnabled: false })`.
 * WebClient POSTs form-encoded bodies (objects such as `blocks` JSON-encoded inside) to
 * `{slackApiUrl}{method}` with `Authorization: Bearer`; answers are HTTP 200 `{ ok, … }`
 * except rate limiting: 429 with `Retry-After` (seconds).
 */
import {
  asRecord, bearerToken, FailureScript, FaultRules, startHttpFake, waitForCall,
  type FakeRequest, type FakeResponse, type FaultOptions, type NetworkFault,
} from './http-fake.ts';

export interface SlackCall {
  method: string;
  /** Body fields; JSON-encoded form fields (blocks, view, attachments, …) are decoded. */
  payload: Record<string, unknown>;
  token: string | undefined;
  /** The `ok: true` answer, when there was one. */
  response?: Record<string, unknown>;
  /** `ratelimited` or the platform error code this call was answered with. */
  error?: string;
}

export type SlackFailure = { status: 429; retryAfterSec: number } | { error: string };

/**
 * What fault injection can do to a call: anything `failNext` does (429 with Retry-After, a
 * platform error), an HTTP error status with no Slack body (`{ httpStatus: 500 }`), or a network
 * fault — `hang` never answers, `reset` cuts the connection. The call is recorded with `error`
 * set (`http_500`, `network_hang`, `network_reset`, …).
 */
export type SlackFault = SlackFailure | { httpStatus: number } | { network: NetworkFault };

export interface PostedSlackMessage {
  channel: string;
  text: string | undefined;
  thread_ts: string | undefined;
  blocks: unknown;
  ts: string;
  payload: Record<string, unknown>;
}

export interface FakeSlackOptions {
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** When set, any other token is answered `invalid_auth`. */
  token?: string;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/` (with the trailing slash, as Slack's default). */
  apiUrl: string;
  botUserId: string;
  botId: string;
  teamId: string;
  calls: SlackCall[];
  callsOf(method: string): SlackCall[];
  /** Successful chat.postMessage calls, in order. */
  posted(): PostedSlackMessage[];
  failNext(method: string, failure: SlackFailure, times?: number): void;
  /** Fault injection per method, optionally only for matching payloads (e.g. one channel). */
  injectFault(method: string, fault: SlackFault, options?: FaultOptions): void;
  /** Ends faults injected with `times: Infinity` (of one method, or all). */
  clearFaults(method?: string): void;
  waitFor(predicate: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** users.info answers: id → user object (merged over a generated default). */
  users: Map<string, Record<string, unknown>>;
  /** conversations.info answers: id → channel object (merged over a generated default). */
  channels: Map<string, Record<string, unknown>>;
  /** Put a message that was not posted through the API (a customer's) into history. */
  seedMessage(channel: string, message: { ts: string; text?: string; user?: string; thread_ts?: string }): void;
  /**
   * Files uploaded the files.uploadV2 way (files.getUploadURLExternal, a POST of the bytes to the
   * upload URL, files.completeUploadExternal), by file id: the bytes as received, and where the
   * completion shared them (unset until completed).
   */
  uploads: Map<string, { filename: string; bytes: Buffer; contentType: string; channel?: string; threadTs?: string; title?: string }>;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks', 'files']);

function decodeForm(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      try { out[key] = JSON.parse(value); } catch { out[key] = value; }
    } else out[key] = value;
  }
  return out;
}

/** The file's bytes: the body itself, or the first part of a multipart body (how the SDK may send it). */
function uploadedBytes(req: FakeRequest): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.contentType);
  if (!req.contentType.toLowerCase().startsWith('multipart/') || boundary === null) return req.rawBody;
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  const headersEnd = req.rawBody.indexOf('\r\n\r\n');
  const start = headersEnd + 4;
  const end = req.rawBody.indexOf(delimiter, start);
  return req.rawBody.subarray(start, end < 0 ? undefined : end);
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
/** A required argument: missing, null and '' all count as absent. */
const arg = (v: unknown): string | undefined => (str(v) === '' ? undefined : str(v));

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botUserId = options.botUserId ?? 'UBOT';
  const botId = options.botId ?? 'BBOT';
  const teamId = options.teamId ?? 'T1';
  const appId = 'AFAKEAPP';
  const calls: SlackCall[] = [];
  const failures = new FailureScript<SlackFailure>();
  const faults = new FaultRules<SlackFault>();
  const users = new Map<string, Record<string, unknown>>();
  const channels = new Map<string, Record<string, unknown>>();
  const history = new Map<string, Record<string, unknown>[]>();
  const views = new Map<string, Record<string, unknown>>();
  const reactions = new Set<string>();
  let seq = 0;
  let viewSeq = 0;
  let fileSeq = 0;
  let origin = '';
  const uploads: FakeSlack['uploads'] = new Map();

  /** Unique, increasing, Slack-shaped: 1767224901.000100, 1767224901.000200, … */
  function nextTs(): string {
    seq += 1;
    const micros = seq * 100;
    return `${1767224901 + Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  function messagesIn(channel: string): Record<string, unknown>[] {
    let list = history.get(channel);
    if (list === undefined) history.set(channel, (list = []));
    return list;
  }

  const okJson = (body: Record<string, unknown>): FakeResponse => ({ json: { ok: true, ...body } });
  const err = (error: string): FakeResponse => ({ json: { ok: false, error } });

  function postMessage(p: Record<string, unknown>): FakeResponse {
    const channel = arg(p.channel);
    if (channel === undefined) return err('channel_not_found');
    if (p.text === undefined && p.blocks === undefined && p.attachments === undefined) return err('no_text');
    const ts = nextTs();
    const message: Record<string, unknown> = {
      user: botUserId, type: 'message', ts, bot_id: botId, app_id: appId, text: str(p.text) ?? '', team: teamId,
      bot_profile: { id: botId, app_id: appId, name: 'Solodesk', deleted: false, team_id: teamId },
    };
    if (p.blocks !== undefined) message.blocks = p.blocks;
    if (p.attachments !== undefined) message.attachments = p.attachments;
    if (p.metadata !== undefined) message.metadata = p.metadata;
    const threadTs = str(p.thread_ts);
    if (threadTs !== undefined) {
      message.thread_ts = threadTs;
      message.parent_user_id = messagesIn(channel).find((m) => m.ts === threadTs)?.user ?? botUserId;
    }
    messagesIn(channel).push({ ...message, channel });
    return okJson({ channel, ts, message });
  }

  function update(p: Record<string, unknown>): FakeResponse {
    const channel = str(p.channel) ?? '';
    const ts = str(p.ts) ?? '';
    const message = messagesIn(channel).find((m) => m.ts === ts);
    if (message === undefined) return err('message_not_found');
    if (message.user !== botUserId) return err('cant_update_message');
    if (p.text !== undefined) message.text = str(p.text);
    if (p.blocks !== undefined) message.blocks = p.blocks;
    message.edited = { user: botUserId, ts: nextTs() };
    return okJson({ channel, ts, text: message.text, message: { ...message, channel: undefined } });
  }

  function replies(p: Record<string, unknown>): FakeResponse {
    const channel = str(p.channel) ?? '';
    const ts = str(p.ts) ?? '';
    const all = messagesIn(channel);
    const parent = all.find((m) => m.ts === ts);
    if (parent === undefined) return err('thread_not_found');
    const thread = [parent, ...all.filter((m) => m.thread_ts === ts && m.ts !== ts)]
      .map(({ channel: _c, ...m }) => m)
      .sort((a, b) => Number(a.ts) - Number(b.ts));
    if (thread[0] !== undefined && thread.length > 1) {
      thread[0] = { ...thread[0], thread_ts: ts, reply_count: thread.length - 1 };
    }
    return okJson({ messages: thread, has_more: false, response_metadata: { next_cursor: '' } });
  }

  function view(p: Record<string, unknown>, existing?: Record<string, unknown>): Record<string, unknown> {
    const v = asRecord(p.view);
    const id = str(existing?.id) ?? `VFAKE${String(++viewSeq).padStart(6, '0')}`;
    const built: Record<string, unknown> = {
      id, team_id: teamId, app_id: appId, bot_id: botId, type: v.type ?? 'modal',
      title: v.title, submit: v.submit, close: v.close, blocks: v.blocks ?? [],
      private_metadata: v.private_metadata ?? '', callback_id: v.callback_id ?? '',
      external_id: v.external_id ?? str(p.external_id) ?? '', state: { values: {} },
      hash: `${Date.now()}.fakehash${viewSeq}`, root_view_id: existing?.root_view_id ?? id, previous_view_id: null,
      clear_on_close: v.clear_on_close ?? false, notify_on_close: v.notify_on_close ?? false,
    };
    views.set(id, built);
    return built;
  }

  function user(id: string): Record<string, unknown> {
    const name = id.toLowerCase();
    return {
      id, team_id: teamId, name, deleted: false, real_name: `User ${id}`, tz: 'Europe/Berlin', tz_offset: 3600,
      is_bot: false, is_admin: false, is_owner: false, updated: 1767224000,
      profile: { real_name: `User ${id}`, display_name: name, image_72: `https://avatars.example/${id}.png`, team: teamId },
      ...users.get(id),
    };
  }

  function dispatch(method: string, p: Record<string, unknown>): FakeResponse {
    switch (method) {
      case 'api.test': return okJson({ args: p });
      case 'auth.test':
        return okJson({
          url: 'https://solodesk-test.slack.com/', team: 'Solodesk Test', user: 'solodesk', team_id: teamId,
          user_id: botUserId, bot_id: botId, is_enterprise_install: false,
        });
      case 'chat.postMessage': return postMessage(p);
      case 'chat.update': return update(p);
      case 'chat.postEphemeral':
        if (arg(p.channel) === undefined) return err('channel_not_found');
        if (arg(p.user) === undefined) return err('user_not_in_channel');
        return okJson({ message_ts: nextTs() });
      case 'chat.getPermalink': {
        const channel = str(p.channel) ?? '';
        const ts = str(p.message_ts) ?? '';
        const message = messagesIn(channel).find((m) => m.ts === ts);
        const thread = str(message?.thread_ts);
        const suffix = thread !== undefined && thread !== ts ? `?thread_ts=${thread}&cid=${channel}` : '';
        return okJson({ channel, permalink: `https://solodesk-test.slack.com/archives/${channel}/p${ts.replace('.', '')}${suffix}` });
      }
      case 'views.open':
      case 'views.push':
        if (arg(p.trigger_id) === undefined) return err('invalid_arguments');
        return okJson({ view: view(p) });
      case 'views.update': {
        const id = str(p.view_id) ?? [...views.values()].find((v) => v.external_id === str(p.external_id))?.id;
        const existing = id === undefined ? undefined : views.get(String(id));
        if (existing === undefined) return err('not_found');
        return okJson({ view: view(p, existing) });
      }
      case 'views.publish':
        if (arg(p.user_id) === undefined) return err('invalid_arguments');
        return okJson({ view: { ...view(p), type: 'home' } });
      case 'users.info': {
        const id = arg(p.user);
        if (id === undefined) return err('user_not_found');
        return okJson({ user: user(id) });
      }
      case 'conversations.info': {
        const id = arg(p.channel);
        if (id === undefined) return err('channel_not_found');
        const isIm = id.startsWith('D');
        return okJson({
          channel: {
            id, name: isIm ? undefined : `channel-${id.toLowerCase()}`, is_channel: id.startsWith('C'),
            is_group: id.startsWith('G'), is_im: isIm, is_private: !id.startsWith('C'), is_archived: false,
            is_member: true, context_team_id: teamId, created: 1767220000, ...channels.get(id),
          },
        });
      }
      case 'conversations.open': {
        const first = str(p.users)?.split(',')[0];
        if (first === undefined && str(p.channel) === undefined) return err('users_list_not_supplied');
        return okJson({ channel: { id: str(p.channel) ?? `D${first ?? ''}` } });
      }
      case 'conversations.replies': return replies(p);
      case 'files.getUploadURLExternal': {
        const filename = arg(p.filename);
        if (filename === undefined || arg(p.length) === undefined) return err('invalid_arguments');
        const fileId = `FFAKE${String(++fileSeq).padStart(6, '0')}`;
        uploads.set(fileId, { filename, bytes: Buffer.alloc(0), contentType: '' });
        return okJson({ upload_url: `${origin}/upload/${fileId}`, file_id: fileId });
      }
      case 'files.completeUploadExternal': {
        const files = Array.isArray(p.files) ? (p.files as Array<Record<string, unknown>>) : [];
        for (const f of files) {
          const upload = uploads.get(String(f.id));
          if (upload === undefined || upload.bytes.length === 0) return err('file_not_found');
          Object.assign(upload, { channel: str(p.channel_id), threadTs: str(p.thread_ts), title: str(f.title) });
        }
        return okJson({ files: files.map((f) => ({ id: f.id, title: f.title })) });
      }
      case 'reactions.add': {
        const key = `${str(p.channel) ?? ''}:${str(p.timestamp) ?? ''}:${str(p.name) ?? ''}`;
        if (reactions.has(key)) return err('already_reacted');
        reactions.add(key);
        return okJson({});
      }
      default: return okJson({});
    }
  }

  const server = await startHttpFake((req: FakeRequest): FakeResponse => {
    const upload = /^\/upload\/(F[A-Z0-9]+)$/.exec(req.path);
    if (upload !== null) {
      const known = uploads.get(upload[1]!);
      if (known === undefined) return { status: 404, text: 'Not Found' };
      Object.assign(known, { bytes: uploadedBytes(req), contentType: req.contentType });
      return { text: `OK - ${req.rawBody.length}` };
    }
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(req.path);
    if (match === null) return { status: 404, text: 'Not Found' };
    const method = match[1] ?? '';
    const fields = { ...Object.fromEntries(req.query), ...asRecord(req.body) };
    const token = bearerToken(req.headers) ?? str(fields.token);
    delete fields.token;
    const call: SlackCall = { method, payload: decodeForm(fields), token };
    calls.push(call);
    if (token === undefined || token === '') {
      call.error = 'not_authed';
      return err('not_authed');
    }
    if (options.token !== undefined && token !== options.token) {
      call.error = 'invalid_auth';
      return err('invalid_auth');
    }
    const fault = faults.take(method, call.payload);
    if (fault !== undefined && 'network' in fault) {
      call.error = `network_${fault.network}`;
      return { drop: fault.network };
    }
    if (fault !== undefined && 'httpStatus' in fault) {
      call.error = `http_${fault.httpStatus}`;
      return { status: fault.httpStatus, text: 'Internal Server Error' };
    }
    const failure = fault ?? failures.take(method);
    if (failure !== undefined) {
      if ('status' in failure) {
        call.error = 'ratelimited';
        return { status: 429, headers: { 'retry-after': String(failure.retryAfterSec) }, json: { ok: false, error: 'ratelimited' } };
      }
      call.error = failure.error;
      return err(failure.error);
    }
    const out = dispatch(method, call.payload);
    const answer = asRecord(out.json);
    if (answer.ok === true) call.response = answer;
    else call.error = str(answer.error);
    return out;
  });

  origin = server.origin;
  return {
    apiUrl: `${server.origin}/api/`,
    botUserId,
    botId,
    teamId,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    posted: () => calls
      .filter((c) => c.method === 'chat.postMessage' && c.response !== undefined)
      .map((c) => ({
        channel: String(c.payload.channel),
        text: str(c.payload.text),
        thread_ts: str(c.payload.thread_ts),
        blocks: c.payload.blocks,
        ts: String(c.response?.ts),
        payload: c.payload,
      })),
    failNext: (method, failure, times = 1) => failures.add(method, failure, times),
    injectFault: (method, fault, faultOptions) => faults.add(method, fault, faultOptions),
    clearFaults: (method) => faults.clear(method),
    waitFor: (predicate, timeoutMs = 2000) =>
      waitForCall(calls, predicate, timeoutMs, 'fake Slack waitFor', (c) => `${c.method} ${JSON.stringify(c.payload).slice(0, 160)}`),
    users,
    channels,
    seedMessage(channel, message) {
      messagesIn(channel).push({ type: 'message', user: 'UCUSTOMER', text: '', ...message, channel });
    },
    uploads,
    close: () => server.close(),
  };
}
