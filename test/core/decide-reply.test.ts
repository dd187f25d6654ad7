import { describe, expect, it } from 'vitest';
import { decideReply, readPickNumber, type ReplyContext } from '../../src/core/decide-reply.ts';
import type { KbDecision } from '../../src/kb/decision.ts';

function kb(outcome: KbDecision['outcome'], articleId: string | null = null, suggestions: string[] = []): ReplyContext['kb'] {
  const decision: KbDecision = {
    outcome,
    confidence: outcome === 'answer' ? 0.99 : 0.4,
    candidates: [],
    articleId,
    suggestions,
    suggestConfidence: 0.5,
    verbatim: false,
    answerThreshold: 0.9,
    expectedPrecision: outcome === 'answer' ? 0.99 : null,
  };
  return { decision, ranked: [] };
}

const offer = {
  id: 'o1',
  question: 'refund?',
  at: '2026-12-01T00:00:00Z',
  articles: [
    { articleId: 'a', slug: 'a', title: 'A', confidence: 0.4 },
    { articleId: 'b', slug: 'b', title: 'B', confidence: 0.3 },
  ],
};

function context(overrides: Partial<ReplyContext> = {}): ReplyContext {
  return { withFounder: false, flooded: false, floodNoticeSent: false, humanRequested: false, offer: null, pickedNumber: null, kb: kb('escalate'), ...overrides };
}

describe('decideReply: the rules in order', () => {
  it('relays to the founder whatever else holds, once the conversation is theirs', () => {
    expect(decideReply(context({ withFounder: true, flooded: true, humanRequested: true, kb: kb('answer', 'a') }))).toEqual({ kind: 'relay_to_founder' });
  });

  it('escalates a flood once, then only stores', () => {
    expect(decideReply(context({ flooded: true, kb: kb('answer', 'a') }))).toEqual({ kind: 'escalate', reason: 'flood' });
    expect(decideReply(context({ flooded: true, floodNoticeSent: true }))).toEqual({ kind: 'store_only' });
  });

  it('takes a pick from a pending list; 0 means none fits', () => {
    expect(decideReply(context({ offer, pickedNumber: 2 }))).toEqual({ kind: 'pick', articleId: 'b' });
    expect(decideReply(context({ offer, pickedNumber: 0 }))).toEqual({ kind: 'escalate', reason: 'no_suggestion_fit' });
  });

  it('escalates a request for a person before any KB answer', () => {
    expect(decideReply(context({ humanRequested: true, kb: kb('answer', 'a') }))).toEqual({ kind: 'escalate', reason: 'human_requested' });
  });

  it('answers, suggests or escalates as the KB decided', () => {
    expect(decideReply(context({ kb: kb('answer', 'a') }))).toMatchObject({ kind: 'answer', articleId: 'a' });
    expect(decideReply(context({ kb: kb('suggest', null, ['a', 'b']) }))).toEqual({ kind: 'suggest', articleIds: ['a', 'b'] });
    expect(decideReply(context())).toEqual({ kind: 'escalate', reason: 'kb_unsure' });
  });

  it('free text after a pending list goes to the founder unless the KB answers it', () => {
    expect(decideReply(context({ offer, kb: kb('suggest', null, ['a']) }))).toEqual({ kind: 'escalate', reason: 'no_suggestion_fit' });
    expect(decideReply(context({ offer, kb: kb('answer', 'b') }))).toMatchObject({ kind: 'answer', articleId: 'b' });
  });
});

describe('readPickNumber', () => {
  it.each([
    ['2', 3, 2],
    ['#1', 3, 1],
    [' 3. ', 3, 3],
    ['２', 3, 2],
    ['1、', 3, 1],
    ['0', 3, 0],
  ] as const)('reads %j of %i options as %i', (text, options, expected) => {
    expect(readPickNumber(text, options)).toBe(expected);
  });

  it.each([['4', 3], ['12', 3], ['2 please', 3], ['two', 3], ['', 3]] as const)('reads %j as no pick', (text, options) => {
    expect(readPickNumber(text, options)).toBeNull();
  });
});
