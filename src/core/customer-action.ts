import { SolodeskError } from '../errors.ts';

// What a customer's button press means, and the one codec between that and the opaque string a
// platform carries in its button (Telegram callback_data, a Slack button value, the console's
// last buttons). Adapters never look inside the string; the core decodes it once.
//
// The wire format is the one buttons already sent carry (`fb:up:<message id>`,
// `pick:<offer id>:<n>`, n = 0 for "none of these"), so a press on an old message still decodes.

export type FeedbackVote = 'up' | 'down';

export type CustomerActionKind =
  | { kind: 'feedback'; vote: FeedbackVote; messageId: string }
  | { kind: 'pick'; offerId: string; choice: 1 | 2 | 3 }
  | { kind: 'none_of_these'; offerId: string }
  /** A satisfaction rating (1–5) pressed under the rating prompt `messageId`. */
  | { kind: 'csat'; messageId: string; score: CsatScore };

export type CsatScore = 1 | 2 | 3 | 4 | 5;

/** Telegram's limit on callback_data, in bytes: the tightest of the platforms. */
export const MAX_ACTION_BYTES = 64;

// Message ids are UUIDs and offer ids 10 hex characters (answers.ts): anything else was not made
// here, so it decodes to null and is answered as a stale button.
const FEEDBACK = /^fb:(up|down):([0-9a-f-]{36})$/;
const PICK = /^pick:([0-9a-f]{10}):([0-3])$/;
// 5 + 36 + 2 = 43 bytes: inside Telegram's 64.
const CSAT = /^csat:([0-9a-f-]{36}):([1-5])$/;

export function encodeCustomerAction(action: CustomerActionKind): string {
  const encoded =
    action.kind === 'feedback'
      ? `fb:${action.vote}:${action.messageId}`
      : action.kind === 'csat'
        ? `csat:${action.messageId}:${action.score}`
        : `pick:${action.offerId}:${action.kind === 'pick' ? action.choice : 0}`;
  // Checked here, where the string is made: a button the platform refuses would fail the whole
  // message at send time, far from the cause.
  if (decodeCustomerAction(encoded) === null) {
    throw new SolodeskError('invalid_action', `not an encodable customer action: ${JSON.stringify(action).slice(0, 120)}`);
  }
  return encoded;
}

export function decodeCustomerAction(encoded: string): CustomerActionKind | null {
  if (Buffer.byteLength(encoded, 'utf8') > MAX_ACTION_BYTES) return null;
  const feedback = FEEDBACK.exec(encoded);
  if (feedback) return { kind: 'feedback', vote: feedback[1] as FeedbackVote, messageId: feedback[2]! };
  const csat = CSAT.exec(encoded);
  if (csat) return { kind: 'csat', messageId: csat[1]!, score: Number(csat[2]) as CsatScore };
  const pick = PICK.exec(encoded);
  if (!pick) return null;
  const n = Number(pick[2]);
  return n === 0 ? { kind: 'none_of_these', offerId: pick[1]! } : { kind: 'pick', offerId: pick[1]!, choice: n as 1 | 2 | 3 };
}
