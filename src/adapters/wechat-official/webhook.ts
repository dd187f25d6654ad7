import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawHandler } from '../../core/channel-adapter.ts';
import { phrases } from '../../core/phrases.ts';
import type { CoreApi } from '../../core/ports.ts';
import { OverloadedError } from '../../errors.ts';
import { readBodyWithin } from '../../http/request-body.ts';
import { decryptWechatMessage, signatureMatches, WechatCryptoError, wechatSignature } from '../../http/wechat-crypto.ts';
import { parseWechatXml, WechatXmlError, type WechatXmlRecord } from '../../http/wechat-xml.ts';
import type { Clock } from '../../observability/clock.ts';
import type { Logger } from '../../observability/logger.ts';
import { parseOfficialMessage, platformIdOf, WECHAT_OA_CHANNEL } from './parse.ts';
import { storeTypedReply, type TypedRatings } from '../../core/plain-reply.ts';

// GET and POST /wechat/official on our HTTP server. WeChat waits 5 s for an answer and retries
// 3 times, so a callback is stored before it is answered (store first, then acknowledge), and a
// retry is a no-op in the core (same MsgId, or FromUserName + CreateTime for events):
//   401  signature (or, in safe mode, msg_signature) wrong or missing, or the timestamp stale
//   400  the body is not WeChat XML, or cannot be decrypted: nothing stored
//   413  a body larger than MAX_BODY_BYTES
//   503  not accepting (before start, after stop) or the core is overloaded: WeChat retries
//   500  not stored for another reason: WeChat retries
//   200  `success`: stored, a duplicate, ignored (unsubscribe) or recorded as rejected

export const OFFICIAL_PATH = '/wechat/official';
/** WeChat's callbacks are a few hundred bytes; anything this big is not from WeChat. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * A signed request older (or newer) than this is refused: the signature covers no body in
 * plaintext mode, so a captured one must not be reusable for long. WeChat's retries come within 20 s.
 */
export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

export interface OfficialWebhookOptions {
  appId: string;
  token: string;
  /** Safe mode's EncodingAESKey; without it only plaintext callbacks are taken. */
  aesKey?: string;
  core: CoreApi;
  clock: Clock;
  logger: Logger;
  /** The ratings each follower was last offered: a typed "1"/"2" is that rating's press. */
  ratings: TypedRatings;
  /** False before start and after stop: answer 503 so WeChat retries. */
  accepting: () => boolean;
}

function answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}

function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/** `signature` over (token, timestamp, nonce), and a timestamp within SIGNATURE_MAX_AGE_MS of now. */
function signedNow(query: URLSearchParams, token: string, clock: Clock): boolean {
  const timestamp = query.get('timestamp') ?? '';
  if (!fresh(timestamp, clock)) return false;
  return signatureMatches(query.get('signature'), wechatSignature(token, timestamp, query.get('nonce') ?? ''));
}

/** GET: WeChat checks the server URL once, when the founder saves it in the admin console. */
export function createVerifyHandler(options: OfficialWebhookOptions): RawHandler {
  return (req, res) => {
    const query = queryOf(req);
    const echostr = query.get('echostr') ?? '';
    const msgSignature = query.get('msg_signature');
    if (msgSignature !== null && options.aesKey !== undefined) {
      // Safe mode's form: the echostr is encrypted and signed with msg_signature.
      const timestamp = query.get('timestamp') ?? '';
      const expected = wechatSignature(options.token, timestamp, query.get('nonce') ?? '', echostr);
      if (!signatureMatches(msgSignature, expected) || !fresh(timestamp, options.clock)) return answer(res, 401);
      try {
        return answer(res, 200, decryptWechatMessage(echostr, options.aesKey, options.appId).message);
      } catch (error) {
        options.logger.warn({ err: error }, 'wechat_oa URL check: echostr could not be decrypted (check WECHAT_OA_AES_KEY)');
        return answer(res, 400);
      }
    }
    if (!signedNow(query, options.token, options.clock)) return answer(res, 401);
    answer(res, 200, echostr);
  };
}

function fresh(timestamp: string, clock: Clock): boolean {
  return /^\d{1,12}$/.test(timestamp) && Math.abs(clock.now() - Number(timestamp) * 1000) <= SIGNATURE_MAX_AGE_MS;
}

/** POST: one message or event from a follower. */
export function createCallbackHandler(options: OfficialWebhookOptions): RawHandler {
  const { core, logger } = options;
  return async (req, res) => {
    try {
      if (!options.accepting()) return answer(res, 503, '', { 'retry-after': '5' });
      const query = queryOf(req);
      // Checked before the body is read: a forged request costs us no more than its headers.
      if (!signedNow(query, options.token, options.clock)) return answer(res, 401);
      const read = await readBodyWithin(req, MAX_BODY_BYTES);
      if (!read.ok && read.reason === 'aborted') return;
      if (!read.ok) return answer(res, 413);
      const opened = open(read.bytes.toString('utf8'), query, options);
      if (opened === 'forged') return answer(res, 401);
      if (opened === 'undecryptable') return answer(res, 400);
      await take(opened, core, logger, options.ratings);
      answer(res, 200, 'success');
    } catch (error) {
      if (error instanceof OverloadedError) {
        logger.warn({ retryAfterMs: error.retryAfterMs }, 'desk overloaded; WeChat will retry the callback');
        return answer(res, 503, '', { 'retry-after': error.retryAfterHeader });
      }
      logger.error({ err: error }, 'wechat_oa callback not stored; WeChat will retry it');
      answer(res, 500);
    }
  };
}

/** The callback's message: parsed, and in safe mode checked against msg_signature and decrypted. */
function open(body: string, query: URLSearchParams, options: OfficialWebhookOptions): WechatXmlRecord | 'forged' | 'undecryptable' {
  let envelope: WechatXmlRecord;
  try {
    envelope = parseWechatXml(body);
  } catch (error) {
    if (error instanceof WechatXmlError) return 'undecryptable';
    throw error;
  }
  if (query.get('encrypt_type') !== 'aes') {
    // Plaintext mode (or the plaintext half of compatible mode); with a key set, a plaintext body
    // is still WeChat's: `signature` proved the Token.
    return envelope.Encrypt !== undefined && envelope.MsgType === undefined ? 'undecryptable' : envelope;
  }
  const encrypted = envelope.Encrypt;
  if (options.aesKey === undefined || encrypted === undefined) return 'undecryptable';
  const expected = wechatSignature(options.token, query.get('timestamp') ?? '', query.get('nonce') ?? '', encrypted);
  if (!signatureMatches(query.get('msg_signature'), expected)) return 'forged';
  try {
    return parseWechatXml(decryptWechatMessage(encrypted, options.aesKey, options.appId).message);
  } catch (error) {
    if (error instanceof WechatCryptoError || error instanceof WechatXmlError) {
      options.logger.warn({ err: error }, 'wechat_oa callback could not be decrypted (check WECHAT_OA_AES_KEY and WECHAT_OA_APP_ID)');
      return 'undecryptable';
    }
    throw error;
  }
}

/** Stores what the message is (resolves once it is durable); throws when it is not stored. */
async function take(record: WechatXmlRecord, core: CoreApi, logger: Logger, ratings: TypedRatings): Promise<void> {
  const parsed = parseOfficialMessage(record);
  switch (parsed.kind) {
    case 'message':
      await storeTypedReply(core, ratings, parsed.input);
      return;
    case 'subscribe':
      // Chinese: an Official Account's followers are WeChat users, and a follow has no words to tell by.
      await core.handleInbound({ ...parsed.input, autoReply: phrases('zh').greeting });
      return;
    case 'ignored':
      logger.debug({ rule: parsed.rule, id: platformIdOf(record) }, 'wechat_oa callback ignored');
      return;
    case 'invalid': {
      const id = platformIdOf(record);
      await core.rejectInbound({ channel: WECHAT_OA_CHANNEL, reason: parsed.reason, ...(id ? { platformEventId: id } : {}), raw: record });
    }
  }
}
