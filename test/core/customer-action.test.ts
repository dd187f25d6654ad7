import { describe, expect, it } from 'vitest';
import {
  decodeCustomerAction,
  encodeCustomerAction,
  MAX_ACTION_BYTES,
  type CustomerActionKind,
} from '../../src/core/customer-action.ts';

// The one codec between a customer's button press and the opaque string a platform carries.

const MESSAGE_ID = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b';
const OFFER_ID = '0123456789';

const every: CustomerActionKind[] = [
  { kind: 'feedback', vote: 'up', messageId: MESSAGE_ID },
  { kind: 'feedback', vote: 'down', messageId: MESSAGE_ID },
  { kind: 'pick', offerId: OFFER_ID, choice: 1 },
  { kind: 'pick', offerId: OFFER_ID, choice: 2 },
  { kind: 'pick', offerId: OFFER_ID, choice: 3 },
  { kind: 'none_of_these', offerId: OFFER_ID },
];

describe('customer action codec', () => {
  it.each(every)('round-trips $kind', (action) => {
    expect(decodeCustomerAction(encodeCustomerAction(action))).toEqual(action);
  });

  it('keeps the wire format of buttons already sent, so a press on an old message still works', () => {
    expect(encodeCustomerAction(every[0]!)).toBe(`fb:up:${MESSAGE_ID}`);
    expect(encodeCustomerAction(every[1]!)).toBe(`fb:down:${MESSAGE_ID}`);
    expect(encodeCustomerAction(every[2]!)).toBe(`pick:${OFFER_ID}:1`);
    expect(encodeCustomerAction(every[5]!)).toBe(`pick:${OFFER_ID}:0`);
    expect(decodeCustomerAction(`fb:down:${MESSAGE_ID}`)).toEqual(every[1]);
    expect(decodeCustomerAction(`pick:${OFFER_ID}:0`)).toEqual(every[5]);
  });

  it('every encoding fits in Telegram callback_data (64 bytes)', () => {
    for (const action of every) expect(Buffer.byteLength(encodeCustomerAction(action), 'utf8')).toBeLessThanOrEqual(MAX_ACTION_BYTES);
    expect(MAX_ACTION_BYTES).toBe(64);
  });

  it('refuses to encode what it could not decode (an id not made by the desk, a fourth choice)', () => {
    expect(() => encodeCustomerAction({ kind: 'feedback', vote: 'up', messageId: 'x'.repeat(70) })).toThrow(/not an encodable/);
    expect(() => encodeCustomerAction({ kind: 'pick', offerId: 'not-hex!!!', choice: 1 })).toThrow(/not an encodable/);
    expect(() => encodeCustomerAction({ kind: 'pick', offerId: OFFER_ID, choice: 4 as 3 })).toThrow(/not an encodable/);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'hello'],
    ['an unknown vote', `fb:sideways:${MESSAGE_ID}`],
    ['a message id that is no UUID', 'fb:up:x'],
    ['the older fb:<id>:<vote> order', `fb:${MESSAGE_ID}:up`],
    ['a choice beyond three', `pick:${OFFER_ID}:4`],
    ['a short offer id', 'pick:01234:1'],
    ['an upper-case offer id', 'pick:ABCDEF0123:1'],
    ['trailing text', `pick:${OFFER_ID}:1 `],
    ['a too-long string', `fb:up:${MESSAGE_ID}${'-'.repeat(64)}`],
    ['a long multi-byte string', `pick:${OFFER_ID}:1${'👍'.repeat(20)}`],
  ])('decodes %s to null (answered as a stale button)', (_, encoded) => {
    expect(decodeCustomerAction(encoded)).toBeNull();
  });
});
