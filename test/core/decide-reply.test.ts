import { describe, expect, it } from 'vitest';
import { decidePress, decideReply, readPickNumber, type PressContext, type ReplyContext } from '../../src/core/decide-reply.ts';
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
  return {
    withFounder: false, flooded: false, floodNoticeSent: false, humanRequested: false, offer: null, pickedNumber: null, kb: kb('escalate'),
    published: () => true,
    ...overrides,
  };
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

describe('decideReply: an article that can no longer be sent', () => {
  it('a confident answer with an archived article goes to the founder instead', () => {
    expect(decideReply(context({ kb: kb('answer', 'a'), published: (id) => id !== 'a' }))).toEqual({ kind: 'escalate', reason: 'kb_unsure' });
  });

  it('a typed pick of an archived article goes to the founder instead', () => {
    expect(decideReply(context({ offer, pickedNumber: 1, published: (id) => id !== 'a' }))).toEqual({ kind: 'escalate', reason: 'kb_unsure' });
  });
});

describe('decidePress: what a button press leads to', () => {
  const MESSAGE = '00000000-0000-4000-8000-000000000001';
  function press(overrides: Partial<PressContext> = {}): PressContext {
    return { action: null, withFounder: false, resolved: false, rated: { found: true, before: false }, offer, published: () => true, ...overrides };
  }
  const up = { kind: 'feedback', vote: 'up', messageId: MESSAGE } as const;
  const down = { kind: 'feedback', vote: 'down', messageId: MESSAGE } as const;

  it('a button this desk did not make is stale, and the customer is told', () => {
    expect(decidePress(press())).toEqual({ kind: 'stale', tell: true, clearOffer: false });
  });

  it('👍 thanks; 👎 hands over, unless the founder already has the conversation', () => {
    expect(decidePress(press({ action: up }))).toEqual({ kind: 'feedback_up' });
    expect(decidePress(press({ action: down }))).toEqual({ kind: 'feedback_down', escalate: true });
    expect(decidePress(press({ action: down, withFounder: true }))).toEqual({ kind: 'feedback_down', escalate: false });
  });

  it('a rating counts once, and only on a message of this conversation (silently dropped otherwise)', () => {
    expect(decidePress(press({ action: down, rated: { found: true, before: true } }))).toEqual({ kind: 'already_rated' });
    expect(decidePress(press({ action: up, rated: { found: false, before: false } }))).toEqual({ kind: 'stale', tell: false, clearOffer: false });
  });

  it('a pick from the list shown now sends that article; "none of these" goes to the founder', () => {
    expect(decidePress(press({ action: { kind: 'pick', offerId: offer.id, choice: 2 } }))).toEqual({ kind: 'pick', articleId: 'b' });
    expect(decidePress(press({ action: { kind: 'none_of_these', offerId: offer.id } }))).toEqual({ kind: 'escalate', reason: 'no_suggestion_fit' });
  });

  it('a pick from another list, an expired list, a resolved conversation or a missing choice is stale', () => {
    const stale = { kind: 'stale', tell: true, clearOffer: false };
    expect(decidePress(press({ action: { kind: 'pick', offerId: 'ffffffffff', choice: 1 } }))).toEqual(stale);
    expect(decidePress(press({ action: { kind: 'pick', offerId: offer.id, choice: 1 }, offer: null }))).toEqual(stale);
    expect(decidePress(press({ action: { kind: 'none_of_these', offerId: offer.id }, resolved: true }))).toEqual(stale);
    expect(decidePress(press({ action: { kind: 'pick', offerId: offer.id, choice: 3 } }))).toEqual({ kind: 'stale', tell: true, clearOffer: true });
  });

  it('a pick of an article archived since the list was shown is stale, and the list is cleared', () => {
    expect(decidePress(press({ action: { kind: 'pick', offerId: offer.id, choice: 1 }, published: (id) => id !== 'a' })))
      .toEqual({ kind: 'stale', tell: true, clearOffer: true });
  });
});
