import type { PrismaClient } from '@prisma/client';
import { groupQuestions, questionKey } from '../../kb/gaps.ts';
import { FOUNDER_CHANNEL, type GapQuestion, type KbGapGroup } from '../ports.ts';

// KB gaps: what customers asked that no article answered, grouped by meaning, biggest group
// first, so the founder knows which article to write next.
//
// Which questions: the founder's escalation notices (Outbox rows to the founder console, type
// `escalation`) whose reason says the KB had no fitting article — `kb_unsure` (nothing sure
// enough), `no_suggestion_fit` (the customer said none of the suggestions fit),
// `customer_rejected_answer` (👎 on the answer). Not `human_requested` (the customer asked for a
// person whatever the KB holds) nor `flood`. The notice says which conversation and which text;
// the question is the customer's own Message in that conversation with that text, so a gap is
// always a stored customer message (kind text: never a note, never a button press), and one
// message escalated twice (suggestions rejected, then the answer) counts once.
// Left out: customers who were forgotten (their text is gone, and must not come back), and
// questions that are now an example question of an article (draft or published): someone
// wrote or is writing the article that answers them.

export const GAP_REASONS = ['kb_unsure', 'no_suggestion_fit', 'customer_rejected_answer'] as const satisfies ReadonlyArray<GapQuestion['reason']>;
type GapReason = GapQuestion['reason'];

/** Gaps of the last 30 days unless the caller asks for another window. */
export const DEFAULT_GAP_WINDOW_MS = 30 * 24 * 3600_000;

/** Example questions shown per group (a console shows fewer). */
const EXAMPLES_KEPT = 10;

type Db = Pick<PrismaClient, 'outbox' | 'message' | 'article'>;

function isGapReason(value: unknown): value is GapReason {
  return typeof value === 'string' && (GAP_REASONS as readonly string[]).includes(value);
}

/** The gap questions asked since `since`, newest first. */
export async function findGapQuestions(db: Db, since: Date): Promise<GapQuestion[]> {
  const notices = await db.outbox.findMany({
    where: { channel: FOUNDER_CHANNEL, createdAt: { gte: since }, payload: { path: ['type'], equals: 'escalation' } },
    orderBy: { seq: 'asc' },
    select: { payload: true },
  });
  // conversation → (question text → reason of its first notice)
  const asked = new Map<string, Map<string, GapReason>>();
  for (const { payload } of notices) {
    const p = payload as { conversationId?: unknown; reason?: unknown; question?: unknown };
    if (typeof p.conversationId !== 'string' || typeof p.question !== 'string' || !isGapReason(p.reason)) continue;
    const texts = asked.get(p.conversationId) ?? new Map<string, GapReason>();
    if (!texts.has(p.question)) texts.set(p.question, p.reason);
    asked.set(p.conversationId, texts);
  }
  if (asked.size === 0) return [];
  const messages = await db.message.findMany({
    where: {
      conversationId: { in: [...asked.keys()] },
      author: 'customer',
      kind: 'text',
      createdAt: { gte: since },
      conversation: { customer: { forgottenAt: null } },
    },
    orderBy: { createdAt: 'desc' },
    select: { id: true, conversationId: true, text: true, createdAt: true },
  });
  const covered = await coveredQuestions(db);
  const found: GapQuestion[] = [];
  const taken = new Set<string>();
  for (const m of messages) {
    const reason = asked.get(m.conversationId)?.get(m.text);
    // newest first: a text asked twice in one conversation is one gap, its latest asking
    const once = `${m.conversationId}\n${m.text}`;
    if (reason === undefined || taken.has(once) || m.text.trim() === '' || covered.has(questionKey(m.text))) continue;
    taken.add(once);
    found.push({ messageId: m.id, conversationId: m.conversationId, text: m.text, at: m.createdAt, reason });
  }
  return found;
}

async function coveredQuestions(db: Db): Promise<Set<string>> {
  const articles = await db.article.findMany({ where: { status: { not: 'archived' } }, select: { questions: true } });
  return new Set(articles.flatMap((a) => a.questions.map(questionKey)));
}

/** KB gaps since `since`, grouped by meaning, biggest group first. */
export async function readKbGaps(db: Db, since: Date): Promise<KbGapGroup[]> {
  const questions = await findGapQuestions(db, since);
  return groupQuestions(questions, (q) => q.text).map(({ items }) => {
    const examples: string[] = [];
    const seen = new Set<string>();
    for (const q of items) {
      const key = questionKey(q.text);
      if (seen.has(key)) continue;
      seen.add(key);
      examples.push(q.text.trim());
    }
    return { size: items.length, examples: examples.slice(0, EXAMPLES_KEPT), questions: items };
  });
}

/**
 * The texts of these gap questions, in the order given, for a "Write article" press: only
 * customer text messages of customers not forgotten, each distinct text once.
 */
export async function gapQuestionTexts(db: Db, messageIds: readonly string[]): Promise<string[]> {
  const ids = messageIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (ids.length === 0) return [];
  const rows = await db.message.findMany({
    where: { id: { in: ids }, author: 'customer', kind: 'text', conversation: { customer: { forgottenAt: null } } },
    select: { id: true, text: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r.text.trim()]));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    const text = byId.get(id);
    if (text === undefined || text === '' || seen.has(questionKey(text))) continue;
    seen.add(questionKey(text));
    out.push(text);
  }
  return out;
}
