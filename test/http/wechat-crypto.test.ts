import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptWechatMessage,
  encryptWechatMessage,
  signatureMatches,
  WechatCryptoError,
  wechatSignature,
} from '../../src/http/wechat-crypto.ts';

// Checked against WeChat's own published WXBizMsgCrypt sample (the values in the sample programs
// Tencent ships with the library and in its callback documentation), then our own round trips
// and every way a payload can be wrong.

const SAMPLE = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiverId: 'wx5823bf96d3bd56c7',
  verify: {
    msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  },
  message: {
    msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
    timestamp: '1409659813',
    nonce: '1372623149',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  },
} as const;

const OTHER_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe("WeChat's published sample", () => {
  it('gives the sample msg_signature of the URL check and decrypts its echostr', () => {
    const { verify } = SAMPLE;
    expect(wechatSignature(SAMPLE.token, verify.timestamp, verify.nonce, verify.echostr)).toBe(verify.msgSignature);
    expect(decryptWechatMessage(verify.echostr, SAMPLE.encodingAesKey, SAMPLE.receiverId)).toEqual({
      message: '1616140317555161061',
      receiverId: SAMPLE.receiverId,
    });
  });

  it('gives the sample msg_signature of the message and decrypts it to the sample XML', () => {
    const { message } = SAMPLE;
    expect(wechatSignature(SAMPLE.token, message.timestamp, message.nonce, message.encrypt)).toBe(message.msgSignature);
    const decrypted = decryptWechatMessage(message.encrypt, SAMPLE.encodingAesKey, SAMPLE.receiverId);
    expect(decrypted.receiverId).toBe(SAMPLE.receiverId);
    expect(decrypted.message).toContain('<Content><![CDATA[hello]]></Content>');
    expect(decrypted.message).toContain('<MsgId>4561255354251345929</MsgId>');
  });

  it('sorts the parts, so their order does not matter', () => {
    const { message } = SAMPLE;
    expect(wechatSignature(message.encrypt, message.nonce, SAMPLE.token, message.timestamp)).toBe(message.msgSignature);
  });
});

describe('signatureMatches', () => {
  const expected = wechatSignature('t', '1', '2');
  it('accepts the same signature (in either case) and refuses anything else', () => {
    expect(signatureMatches(expected, expected)).toBe(true);
    expect(signatureMatches(expected.toUpperCase(), expected)).toBe(true);
    expect(signatureMatches(wechatSignature('t', '1', '3'), expected)).toBe(false);
    expect(signatureMatches(expected.slice(1), expected)).toBe(false);
    expect(signatureMatches('', expected)).toBe(false);
    expect(signatureMatches(undefined, expected)).toBe(false);
    expect(signatureMatches([expected], expected)).toBe(false);
  });
});

describe('our own round trips', () => {
  it('decrypts what it encrypts: Chinese, empty, and block-sized messages', () => {
    for (const text of ['<xml><Content><![CDATA[你好，请问怎么退款？]]></Content></xml>', '', 'x'.repeat(12), 'y'.repeat(44)]) {
      const encrypted = encryptWechatMessage(text, SAMPLE.encodingAesKey, SAMPLE.receiverId);
      expect(decryptWechatMessage(encrypted, SAMPLE.encodingAesKey, SAMPLE.receiverId)).toEqual({ message: text, receiverId: SAMPLE.receiverId });
    }
  });

  it('reproduces a ciphertext from a fixed random prefix, and differs with a fresh one', () => {
    const random = Buffer.alloc(16, 7);
    const a = encryptWechatMessage('hello', SAMPLE.encodingAesKey, SAMPLE.receiverId, random);
    expect(encryptWechatMessage('hello', SAMPLE.encodingAesKey, SAMPLE.receiverId, random)).toBe(a);
    expect(encryptWechatMessage('hello', SAMPLE.encodingAesKey, SAMPLE.receiverId)).not.toBe(a);
    expect(Buffer.from(a, 'base64').length % 32).toBe(0);
  });
});

describe('malformed input is a WechatCryptoError', () => {
  const encrypted = encryptWechatMessage('<xml>hi</xml>', SAMPLE.encodingAesKey, SAMPLE.receiverId);

  it('refuses the wrong key', () => {
    expect(() => decryptWechatMessage(encrypted, OTHER_KEY)).toThrow(WechatCryptoError);
    expect(() => decryptWechatMessage(SAMPLE.message.encrypt, OTHER_KEY)).toThrow(WechatCryptoError);
  });

  it('refuses a message for another receiver', () => {
    expect(() => decryptWechatMessage(encrypted, SAMPLE.encodingAesKey, 'wx0000000000000000')).toThrow(/receiver "wx5823bf96d3bd56c7"/);
  });

  it('refuses truncated data and data that is not base64', () => {
    const bytes = Buffer.from(encrypted, 'base64');
    expect(() => decryptWechatMessage(bytes.subarray(0, bytes.length - 16).toString('base64'), SAMPLE.encodingAesKey)).toThrow(WechatCryptoError);
    expect(() => decryptWechatMessage(bytes.subarray(0, 5).toString('base64'), SAMPLE.encodingAesKey)).toThrow(/multiple of 32/);
    expect(() => decryptWechatMessage('', SAMPLE.encodingAesKey)).toThrow(WechatCryptoError);
    expect(() => decryptWechatMessage('not base64 at all!', SAMPLE.encodingAesKey)).toThrow(/not base64/);
  });

  it('refuses bad padding and a declared length longer than the message', () => {
    const badPadding = encryptRaw(Buffer.concat([Buffer.alloc(31, 1), Buffer.from([0])]));
    expect(() => decryptWechatMessage(badPadding, SAMPLE.encodingAesKey)).toThrow(/padding/);
    const inconsistent = encryptRaw(Buffer.concat([Buffer.alloc(30, 2), Buffer.from([2, 3])]));
    expect(() => decryptWechatMessage(inconsistent, SAMPLE.encodingAesKey)).toThrow(/padding/);
    // 16 random bytes, a length of 1000, then almost nothing.
    const length = Buffer.alloc(4);
    length.writeUInt32BE(1000);
    const tooLong = encryptRaw(withPadding(Buffer.concat([Buffer.alloc(16), length, Buffer.from('hi')])));
    expect(() => decryptWechatMessage(tooLong, SAMPLE.encodingAesKey)).toThrow(/declared length/);
  });

  it('refuses a key that is not 43 base64 characters', () => {
    expect(() => decryptWechatMessage(encrypted, SAMPLE.encodingAesKey.slice(1))).toThrow(/43/);
    expect(() => encryptWechatMessage('x', `${SAMPLE.encodingAesKey.slice(1)}!`, 'id')).toThrow(WechatCryptoError);
  });
});

/** AES-256-CBC with the sample key and no padding of its own: for hand-made broken plaintexts. */
function encryptRaw(plain: Buffer): string {
  const key = Buffer.from(`${SAMPLE.encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function withPadding(plain: Buffer): Buffer {
  const pad = 32 - (plain.length % 32);
  return Buffer.concat([plain, Buffer.alloc(pad, pad)]);
}
