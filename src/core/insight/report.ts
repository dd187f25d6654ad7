import type { PrismaClient } from '@prisma/client';
import type { BusinessHours } from '../../config/business-hours.ts';
import { decodeCustomerAction } from '../customer-action.ts';
import { readPickNumber } from '../decide-reply.ts';
import { phrases, replyLanguageOf } from '../phrases.ts';
import { businessMs } from './report-business-time.ts';
import {
  breakdown,
  datesBetween,
  localDate,
  shareOf,
  summarizeDurations,
  type Breakdown,
  type DurationSummary,
  type Share,
} from './report-figures.ts';
import { satisfactionScore, type SatisfactionScore } from './satisfaction-score.ts';

// What the desk did over a period, computed from what the database keeps (`solodesk report`,
// `/stats`, the weekly digest). Where each figure comes from:
//
// - conversations: Conversation rows created in [since, until). Every other conversation figure is
//   about these (a conversation opened on Sunday and answered on Monday is Sunday's).
// - answered by the bot (deflection): never escalated (Conversation.escalatedAt is null: set by
//   escalation.ts on every hand-over), got at least one bot answer (a bot Message with an
//   articleId: answers.ts sendAnswer sets it for a KB article, a picked suggestion and an
//   LLM_MODE=auto answer), and no founder reply (a founder text Message that is not empty).
// - suggested: the bot offered a "did you mean" list: a bot Message without an article whose text
//   opens with the list's intro (answers.ts offerSuggestions; the offer itself, in
//   Conversation.state.offer, is cleared once answered, so the message is the lasting record).
// - picked (a share of suggested): after the list the customer picked one (a press stored as a
//   Message of kind action whose raw action decodes to `pick`, or a text reply read as a number
//   1–3 by decide-reply.ts readPickNumber) and a bot answer followed.
// - escalated: Conversation.escalatedAt is set.
// - first response: from the customer's first message to Conversation.firstResponseAt (the first
//   bot answer or founder reply; answers.ts and founder-actions.ts set it once). A suggestion list
//   or an "I passed it on" notice is not a response.
// - founder response: from the escalation (escalatedAt) to the first founder reply at or after it.
// - resolution: from the customer's first message to Conversation.resolvedAt.
//   All three: nearest-rank median and 90th percentile, wall-clock and, with BUSINESS_HOURS,
//   counting only open business time (report-business-time.ts).
// - satisfaction: CSAT Feedback (kind csat, 1–5) given in the period, weighted by recency as of
//   `until` (satisfaction-score.ts). Answer ratings (kind answer: 👍 = 5, 👎 = 1) are counted apart.
// - most used articles: bot Messages with an articleId sent in the period, by article.
// - articles rated down: answer Feedback with score ≤ 2 given in the period, by article.
// - by channel: Conversation.channel. By language: the language the bot replies in, read from the
//   customer's first message (phrases.ts replyLanguageOf), as Customer.locale is whatever a
//   platform reports (often the phone's, not the customer's writing) and is absent on most.
// - days: per local date (BUSINESS_TIMEZONE, else UTC) the conversations opened, how many the bot
//   answered alone, how many were escalated, and the plain mean of the CSAT ratings given.

export interface ReportOptions {
  since: Date;
  until: Date;
  businessHours?: BusinessHours;
  /** CSAT_HALF_LIFE_DAYS; satisfaction-score.ts's default without it. */
  halfLifeDays?: number;
  /** How many articles each article list shows. */
  top?: number;
}

export interface ArticleCount {
  articleId: string;
  slug: string;
  title: string;
  count: number;
}

export interface ReportDay {
  date: string;
  conversations: number;
  answeredByBot: number;
  escalated: number;
  /** Mean CSAT of that day's ratings; null without any. */
  satisfaction: number | null;
  ratings: number;
}

export interface Report {
  since: string;
  until: string;
  /** The zone dates and business hours are read in. */
  timeZone: string;
  businessHours: boolean;
  conversations: number;
  answeredByBot: Share;
  suggested: Share;
  /** A share of the suggested conversations. */
  picked: Share;
  escalated: Share;
  firstResponse: DurationSummary;
  founderResponse: DurationSummary;
  resolution: DurationSummary;
  satisfaction: SatisfactionScore;
  answerRatings: { up: number; down: number };
  topArticles: ArticleCount[];
  /** `count` is the 👎s; `up` the 👍s the same article got in the period. */
  articlesRatedDown: Array<ArticleCount & { up: number }>;
  byChannel: Breakdown[];
  byLanguage: Breakdown[];
  days: ReportDay[];
}

/** What a report reads: a client or a transaction. */
export type ReportDb = Pick<PrismaClient, 'conversation' | 'message' | 'feedback' | 'article'>;

const SUGGESTION_INTROS = (['en', 'zh'] as const).map((language) => phrases(language).suggestIntro);

export async function buildReport(prisma: ReportDb, options: ReportOptions): Promise<Report> {
  const { since, until, businessHours } = options;
  const timeZone = businessHours?.timeZone ?? 'UTC';
  const period = { gte: since, lt: until };
  const [conversations, answers, feedback] = await Promise.all([
    prisma.conversation.findMany({
      where: { createdAt: period },
      select: {
        channel: true,
        createdAt: true,
        escalatedAt: true,
        firstResponseAt: true,
        resolvedAt: true,
        messages: {
          select: { author: true, kind: true, text: true, articleId: true, raw: true, createdAt: true },
          orderBy: { createdAt: 'asc' },
        },
      },
    }),
    prisma.message.findMany({ where: { author: 'bot', articleId: { not: null }, createdAt: period }, select: { articleId: true } }),
    prisma.feedback.findMany({ where: { createdAt: period }, select: { kind: true, score: true, articleId: true, createdAt: true } }),
  ]);

  const facts = conversations.map(conversationFacts);
  const csat = feedback.filter((f) => f.kind === 'csat');
  const answerVotes = feedback.filter((f) => f.kind === 'answer');
  const duration = (pairs: Array<[Date, Date]>) =>
    summarizeDurations(
      pairs.map(([from, to]) => to.getTime() - from.getTime()),
      businessHours ? pairs.map(([from, to]) => businessMs(businessHours, from, to)) : undefined,
    );

  const uses = countBy(answers.map((a) => a.articleId!));
  const downs = countBy(answerVotes.filter((f) => f.articleId && f.score <= 2).map((f) => f.articleId!));
  const ups = countBy(answerVotes.filter((f) => f.articleId && f.score >= 4).map((f) => f.articleId!));
  const top = options.top ?? 5;
  const topUsed = ranked(uses, top);
  const topDown = ranked(downs, top);
  const titles = await articleTitles(prisma, [...topUsed, ...topDown].map(([id]) => id));
  const article = ([articleId, count]: [string, number]): ArticleCount => ({
    articleId,
    slug: titles.get(articleId)?.slug ?? '(deleted)',
    title: titles.get(articleId)?.title ?? '(deleted article)',
    count,
  });

  const suggested = facts.filter((f) => f.suggested).length;
  const flags = (f: ConversationFacts) => ({ answeredByBot: f.answeredByBot, escalated: f.escalated });
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    timeZone,
    businessHours: businessHours !== undefined,
    conversations: facts.length,
    answeredByBot: shareOf(facts.filter((f) => f.answeredByBot).length, facts.length),
    suggested: shareOf(suggested, facts.length),
    picked: shareOf(facts.filter((f) => f.picked).length, suggested),
    escalated: shareOf(facts.filter((f) => f.escalated).length, facts.length),
    firstResponse: duration(facts.flatMap((f) => (f.firstResponseAt ? [[f.askedAt, f.firstResponseAt] as [Date, Date]] : []))),
    founderResponse: duration(facts.flatMap((f) => (f.escalatedAt && f.founderRepliedAt ? [[f.escalatedAt, f.founderRepliedAt] as [Date, Date]] : []))),
    resolution: duration(facts.flatMap((f) => (f.resolvedAt ? [[f.askedAt, f.resolvedAt] as [Date, Date]] : []))),
    satisfaction: satisfactionScore(
      csat.map((f) => ({ score: f.score, at: f.createdAt })),
      { now: until, ...(options.halfLifeDays !== undefined ? { halfLifeDays: options.halfLifeDays } : {}) },
    ),
    answerRatings: { up: answerVotes.filter((f) => f.score >= 4).length, down: answerVotes.filter((f) => f.score <= 2).length },
    topArticles: topUsed.map(article),
    articlesRatedDown: topDown.map((entry) => ({ ...article(entry), up: ups.get(entry[0]) ?? 0 })),
    byChannel: breakdown(facts, (f) => f.channel, flags),
    byLanguage: breakdown(facts, (f) => f.language, flags),
    days: datesBetween(since, until, timeZone).map((date) => {
      const opened = facts.filter((f) => localDate(f.createdAt, timeZone) === date);
      const rated = csat.filter((f) => localDate(f.createdAt, timeZone) === date);
      return {
        date,
        conversations: opened.length,
        answeredByBot: opened.filter((f) => f.answeredByBot).length,
        escalated: opened.filter((f) => f.escalated).length,
        satisfaction: rated.length > 0 ? rated.reduce((sum, f) => sum + f.score, 0) / rated.length : null,
        ratings: rated.length,
      };
    }),
  };
}

interface ConversationFacts {
  channel: string;
  language: string;
  createdAt: Date;
  askedAt: Date;
  answeredByBot: boolean;
  suggested: boolean;
  picked: boolean;
  escalated: boolean;
  escalatedAt: Date | null;
  firstResponseAt: Date | null;
  founderRepliedAt: Date | null;
  resolvedAt: Date | null;
}

interface ConversationRow {
  channel: string;
  createdAt: Date;
  escalatedAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  messages: Array<{ author: string; kind: string; text: string; articleId: string | null; raw: unknown; createdAt: Date }>;
}

function conversationFacts(c: ConversationRow): ConversationFacts {
  const asked = c.messages.find((m) => m.author === 'customer' && m.kind === 'text');
  const botAnswers = c.messages.filter((m) => m.author === 'bot' && m.articleId !== null);
  const founderReplies = c.messages.filter((m) => m.author === 'founder' && m.kind === 'text' && m.text.trim() !== '');
  const list = c.messages.find((m) => m.author === 'bot' && m.articleId === null && SUGGESTION_INTROS.some((intro) => m.text.startsWith(intro)));
  const pick = list ? c.messages.find((m) => m.createdAt >= list.createdAt && m !== list && isPick(m)) : undefined;
  const escalated = c.escalatedAt !== null;
  return {
    channel: c.channel,
    language: replyLanguageOf(asked?.text ?? ''),
    createdAt: c.createdAt,
    askedAt: asked?.createdAt ?? c.createdAt,
    answeredByBot: !escalated && botAnswers.length > 0 && founderReplies.length === 0,
    suggested: list !== undefined,
    picked: pick !== undefined && botAnswers.some((m) => m.createdAt >= pick.createdAt),
    escalated,
    escalatedAt: c.escalatedAt,
    firstResponseAt: c.firstResponseAt,
    founderRepliedAt: c.escalatedAt ? (founderReplies.find((m) => m.createdAt >= c.escalatedAt!)?.createdAt ?? null) : null,
    resolvedAt: c.resolvedAt,
  };
}

function isPick(m: ConversationRow['messages'][number]): boolean {
  if (m.author !== 'customer') return false;
  if (m.kind === 'action') {
    const action = (m.raw as { action?: unknown } | null)?.action;
    return typeof action === 'string' && decodeCustomerAction(action)?.kind === 'pick';
  }
  return m.kind === 'text' && (readPickNumber(m.text, 3) ?? 0) >= 1;
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** The `top` largest counts, then by id so equal counts keep one order. */
function ranked(counts: Map<string, number>, top: number): Array<[string, number]> {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
}

async function articleTitles(prisma: ReportDb, ids: string[]): Promise<Map<string, { slug: string; title: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await prisma.article.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, slug: true, title: true } });
  return new Map(rows.map((r) => [r.id, { slug: r.slug, title: r.title }]));
}
