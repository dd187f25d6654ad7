import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.ts';
import { ConfigError } from '../../../src/errors.ts';
import { decodeCustomerAction, encodeCustomerAction, MAX_ACTION_BYTES } from '../../../src/core/customer-action.ts';
import { decidePress, decideReply, readRatingNumber, type PressContext, type ReplyContext } from '../../../src/core/decide-reply.ts';
import type { KbDecision } from '../../../src/kb/decision.ts';

// What a rating press or a typed number means, decided in decide-reply.ts like every other
// customer action: pure, so each rule is checked on its own.

const MESSAGE = '3f2b8c1e-5d4a-4f6b-9c7d-1a2b3c4d5e6f';
const unsure: KbDecision = {
  outcome: 'escalate',
  confidence: 0.1,
  candidates: [],
  articleId: null,
  suggestions: [],
  suggestConfidence: 0.1,
  verbatim: false,
  answerThreshold: 0.9,
  expectedPrecision: null,
};

function reply(over: Partial<ReplyContext>): ReplyContext {
  return {
    withFounder: false,
    flooded: false,
    floodNoticeSent: false,
    humanRequested: false,
    offer: null,
    pickedNumber: null,
    kb: { decision: unsure, ranked: [] },
    published: () => true,
    ...over,
  };
}

function press(over: Partial<PressContext>): PressContext {
  return { action: null, withFounder: false, resolved: true, rated: { found: true, before: false }, offer: null, published: () => true, ...over };
}

describe('rating actions and typed ratings', () => {
  it('a 1–5 rating round-trips through a button string inside Telegram’s 64 bytes', () => {
    for (const score of [1, 2, 3, 4, 5] as const) {
      const encoded = encodeCustomerAction({ kind: 'csat', messageId: MESSAGE, score });
      expect(Buffer.byteLength(encoded)).toBeLessThanOrEqual(MAX_ACTION_BYTES);
      expect(decodeCustomerAction(encoded)).toEqual({ kind: 'csat', messageId: MESSAGE, score });
    }
    expect(decodeCustomerAction(`csat:${MESSAGE}:6`)).toBeNull();
    expect(decodeCustomerAction(`csat:${MESSAGE}:0`)).toBeNull();
  });

  it('reads a typed rating, and nothing else, as 1–5', () => {
    expect(['4', ' 4 ', '４', '4/5', '5分', '3 ⭐', '#2'].map(readRatingNumber)).toEqual([4, 4, 4, 4, 5, 3, 2]);
    expect(['0', '6', '45', 'four', '4 stars please', '', 'I rate it 4'].map(readRatingNumber)).toEqual([null, null, null, null, null, null, null]);
  });

  it('a typed number under a prompt is the rating; a comment is kept unless it asks for a person; the founder’s conversation relays', () => {
    expect(decideReply(reply({ rating: { score: 3, commentFor: null } }))).toEqual({ kind: 'rate', score: 3 });
    expect(decideReply(reply({ rating: { score: null, commentFor: 'f1' } }))).toEqual({ kind: 'rating_comment', feedbackId: 'f1' });
    expect(decideReply(reply({ rating: { score: null, commentFor: 'f1' }, humanRequested: true }))).toEqual({ kind: 'escalate', reason: 'human_requested' });
    expect(decideReply(reply({ rating: { score: 3, commentFor: null }, withFounder: true }))).toEqual({ kind: 'relay_to_founder' });
    expect(decideReply(reply({ rating: { score: null, commentFor: null } }))).toEqual({ kind: 'escalate', reason: 'kb_unsure' });
  });

  it('a press rates once, says so the second time, and a prompt of another conversation rates nothing', () => {
    const action = { kind: 'csat', messageId: MESSAGE, score: 4 } as const;
    expect(decidePress(press({ action }))).toEqual({ kind: 'rate', score: 4 });
    expect(decidePress(press({ action, rated: { found: true, before: true } }))).toEqual({ kind: 'already_rated', tell: true });
    expect(decidePress(press({ action, rated: { found: false, before: false } }))).toEqual({ kind: 'stale', tell: false, clearOffer: false });
  });
});

describe('CSAT configuration', () => {
  it('is on by default, off with CSAT=off, and a too-short CSAT_AFTER_ANSWER_MS is named', () => {
    expect(loadConfig({}).csat).toEqual({ enabled: true, afterAnswerMs: undefined });
    expect(loadConfig({ CSAT: 'off', CSAT_AFTER_ANSWER_MS: '3600000' }).csat).toEqual({ enabled: false, afterAnswerMs: 3_600_000 });
    let problems: string[] = [];
    try {
      loadConfig({ CSAT: 'maybe', CSAT_AFTER_ANSWER_MS: '500' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems.map((p) => p.split(':')[0])).toEqual(['CSAT', 'CSAT_AFTER_ANSWER_MS']);
  });
});
