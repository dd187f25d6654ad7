import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SolodeskError } from '../errors.ts';

// WeChat's callback crypto, shared by the Official Account and WeCom channels (both speak the
// WXBizMsgCrypt protocol): pure functions, no I/O, so both adapters test against WeChat's own
// published sample. It lives in src/http/ because adapters may not import one another.
//
// The protocol: signature = SHA-1 of the parts sorted and joined; the message is AES-256-CBC with
// the 32-byte key from base64(EncodingAESKey + '='), IV = the key's first 16 bytes, padded PKCS#7
// style to 32-byte blocks (not AES's 16), plaintext = 16 random bytes + 4-byte big-endian length +
// message + receiver id (the appid or corpid).

/** WeChat pads to 32-byte blocks, not to AES's 16. */
const BLOCK_BYTES = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
/** An EncodingAESKey is 43 base64 characters: 32 bytes once '=' is added. */
export const ENCODING_AES_KEY_LENGTH = 43;

/** Anything wrong with an encrypted WeChat payload or its key: the caller answers 400, not 500. */
export class WechatCryptoError extends SolodeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('wechat_crypto', message, options);
  }
}

/** SHA-1 hex of the parts sorted lexicographically and joined: `signature` and `msg_signature`. */
export function wechatSignature(...parts: string[]): string {
  // Plain code-unit order, as WeChat's samples sort (not locale order).
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/**
 * Compares a received signature with the expected one in constant time (both hashed first, so
 * a wrong length leaks nothing either). A missing or non-string value never matches.
 */
export function signatureMatches(received: unknown, expected: string): boolean {
  if (typeof received !== 'string' || received.length === 0) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value.toLowerCase(), 'utf8').digest();
  return timingSafeEqual(digest(received), digest(expected));
}

/** The 32-byte AES key of a 43-character EncodingAESKey; throws on anything else. */
export function wechatAesKey(encodingAesKey43: string): Buffer {
  if (typeof encodingAesKey43 !== 'string' || encodingAesKey43.length !== ENCODING_AES_KEY_LENGTH || !/^[A-Za-z0-9+/]+$/.test(encodingAesKey43)) {
    throw new WechatCryptoError(`the EncodingAESKey must be ${ENCODING_AES_KEY_LENGTH} base64 characters`);
  }
  const key = Buffer.from(`${encodingAesKey43}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('the EncodingAESKey does not decode to 32 bytes');
  return key;
}

export interface DecryptedWechatMessage {
  message: string;
  /** The appid (Official Account) or corpid (WeCom) the message was encrypted for. */
  receiverId: string;
}

/**
 * Decrypts an `Encrypt` field (or an encrypted `echostr`). When `expectedReceiverId` is given, a
 * message for another account is refused: a valid key alone does not make it ours.
 */
export function decryptWechatMessage(encryptBase64: string, encodingAesKey43: string, expectedReceiverId?: string): DecryptedWechatMessage {
  const key = wechatAesKey(encodingAesKey43);
  if (typeof encryptBase64 !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(encryptBase64.trim())) {
    throw new WechatCryptoError('the encrypted message is not base64');
  }
  const cipherText = Buffer.from(encryptBase64.trim(), 'base64');
  // AES works on 16-byte blocks; WeChat's padding makes every ciphertext a multiple of 32.
  if (cipherText.length === 0 || cipherText.length % BLOCK_BYTES !== 0) {
    throw new WechatCryptoError(`the encrypted message is ${cipherText.length} bytes, not a positive multiple of ${BLOCK_BYTES}`);
  }
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    // WeChat's padding is to 32 bytes; Node's own PKCS#7 check would accept only up to 16.
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch (error) {
    throw new WechatCryptoError('the encrypted message could not be decrypted', { cause: error });
  }
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > BLOCK_BYTES || pad > padded.length) throw new WechatCryptoError('bad padding (wrong key or damaged message)');
  for (let i = padded.length - pad; i < padded.length; i++) {
    if (padded[i] !== pad) throw new WechatCryptoError('bad padding (wrong key or damaged message)');
  }
  const plain = padded.subarray(0, padded.length - pad);
  if (plain.length < RANDOM_BYTES + LENGTH_BYTES) throw new WechatCryptoError('the decrypted message is too short');
  const length = plain.readUInt32BE(RANDOM_BYTES);
  const start = RANDOM_BYTES + LENGTH_BYTES;
  if (length > plain.length - start) throw new WechatCryptoError('the decrypted message is shorter than its declared length');
  const messageBytes = plain.subarray(start, start + length);
  const receiverId = plain.subarray(start + length).toString('utf8');
  const message = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let text: string;
  try {
    text = message.decode(messageBytes);
  } catch (error) {
    throw new WechatCryptoError('the decrypted message is not UTF-8 (wrong key or damaged message)', { cause: error });
  }
  if (expectedReceiverId !== undefined && receiverId !== expectedReceiverId) {
    // The id is not secret (it is in every callback's ToUserName), so naming it helps setup.
    throw new WechatCryptoError(`the message is for receiver "${receiverId}", not "${expectedReceiverId}"`);
  }
  return { message: text, receiverId };
}

/** Encrypts a message for `receiverId`; `random16` only so tests can reproduce a ciphertext. */
export function encryptWechatMessage(message: string, encodingAesKey43: string, receiverId: string, random16?: Buffer): string {
  const key = wechatAesKey(encodingAesKey43);
  const random = random16 ?? randomBytes(RANDOM_BYTES);
  if (random.length !== RANDOM_BYTES) throw new WechatCryptoError(`the random prefix must be ${RANDOM_BYTES} bytes`);
  const messageBytes = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(messageBytes.length);
  const plain = Buffer.concat([random, length, messageBytes, Buffer.from(receiverId, 'utf8')]);
  const pad = BLOCK_BYTES - (plain.length % BLOCK_BYTES);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}
