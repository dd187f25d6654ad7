import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawHandler } from '../../core/channel-adapter.ts';
import { OverloadedError } from '../../errors.ts';
import { readBodyWithin } from '../../http/request-body.ts';
import { decryptWechatMessage, signatureMatches, wechatSignature } from '../../http/wechat-crypto.ts';
import { parseWechatXml } from '../../http/wechat-xml.ts';
import type { Logger } from '../../observability/logger.ts';

// GET and POST /wecom/kf, WeCom's callback URL for customer service (WXBizMsgCrypt):
//   GET   URL verification: msg_signature = SHA-1(sorted token, timestamp, nonce, echostr);
//         echostr decrypted (receiver = our corp id) and its plaintext answered.
//   POST  `<xml><ToUserName/><Encrypt/></xml>`, msg_signature over the Encrypt field; inside, the
//         event `kf_msg_or_event` with a Token and an OpenKfId: a nudge to fetch (sync.ts).
// Answers: 401 a wrong or missing signature; 400 not XML, or not decryptable for our corp (a
// valid signature on garbage); 413 too big; 503 not accepting or overloaded, 500 the fetch failed
// (WeCom calls again, which nudges again); 200 otherwise. Nothing is stored before the signature
// and the decryption have passed. There is no timestamp window: a replayed callback can only
// nudge a fetch, which fetches nothing new.

export const CALLBACK_PATH = '/wecom/kf';
/** A callback is a few hundred bytes of XML. */
const MAX_BODY_BYTES = 64 * 1024;

export interface CallbackOptions {
  corpId: string;
  token: string;
  aesKey: string;
  logger: Logger;
  /** False before start and after stop: 503, so WeCom calls again later. */
  accepting: () => boolean;
  /**
   * Handles one verified nudge; resolves when the callback may be answered 200 (the fetch is done,
   * or is taking long and continues on its own), rejects when WeCom should call again.
   */
  nudge(openKfid: string, token: string): Promise<void>;
}

/** The query string, percent-decoded only: a raw `+` in base64 stays `+` (URLSearchParams makes it a space). */
export function callbackQuery(req: IncomingMessage): Record<string, string> {
  const query = (req.url ?? '').split('?')[1] ?? '';
  const out: Record<string, string> = {};
  for (const pair of query.split('&')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
    } catch {
      // A malformed escape: the parameter is left out, and its signature check fails.
    }
  }
  return out;
}

function answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}

function signed(options: CallbackOptions, query: Record<string, string>, encrypted: string): boolean {
  const { timestamp = '', nonce = '' } = query;
  return signatureMatches(query.msg_signature, wechatSignature(options.token, timestamp, nonce, encrypted));
}

export function createVerifyHandler(options: CallbackOptions): RawHandler {
  return (req, res) => {
    const query = callbackQuery(req);
    const echostr = query.echostr ?? '';
    if (!signed(options, query, echostr)) return answer(res, 401);
    try {
      return answer(res, 200, decryptWechatMessage(echostr, options.aesKey, options.corpId).message);
    } catch (error) {
      options.logger.warn({ err: error }, 'wecom URL verification: echostr could not be decrypted for this corp (check WECOM_AES_KEY and WECOM_CORP_ID)');
      return answer(res, 400);
    }
  };
}

export function createEventHandler(options: CallbackOptions): RawHandler {
  const { logger } = options;
  return async (req, res) => {
    try {
      if (!options.accepting()) return answer(res, 503, '', { 'retry-after': '5' });
      const read = await readBodyWithin(req, MAX_BODY_BYTES);
      if (!read.ok && read.reason === 'aborted') return;
      if (!read.ok) return answer(res, 413);
      let encrypted: string;
      try {
        encrypted = parseWechatXml(read.bytes.toString('utf8')).Encrypt ?? '';
      } catch {
        return answer(res, 400);
      }
      if (!signed(options, callbackQuery(req), encrypted)) return answer(res, 401);
      let event: Record<string, string>;
      try {
        event = parseWechatXml(decryptWechatMessage(encrypted, options.aesKey, options.corpId).message);
      } catch (error) {
        logger.warn({ err: error }, 'wecom callback signed but not decryptable for this corp; refused');
        return answer(res, 400);
      }
      if (event.Event !== 'kf_msg_or_event' || !event.OpenKfId) {
        logger.debug({ msgType: event.MsgType, event: event.Event }, 'wecom callback is not a customer-service event; acknowledged');
        return answer(res, 200, 'success');
      }
      await options.nudge(event.OpenKfId, event.Token ?? '');
      answer(res, 200, 'success');
    } catch (error) {
      if (error instanceof OverloadedError) {
        logger.warn({ retryAfterMs: error.retryAfterMs }, 'desk overloaded; WeCom will call again');
        return answer(res, 503, '', { 'retry-after': error.retryAfterHeader });
      }
      logger.error({ err: error }, 'wecom messages not fetched; WeCom will call again');
      answer(res, 500);
    }
  };
}
