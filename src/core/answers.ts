import { randomBytes } from 'node:crypto';
import type { ArticleView, RankedArticle } from '../kb/knowledge-base.ts';
import { encodeCustomerAction } from './customer-action.ts';
import type { PendingOffer } from './decide-reply.ts';
import { enqueueCustomerMessage, type ConversationRef, type Tx } from './outbox.ts';
import { phrases, type ReplyLanguage } from './phrases.ts';
import type { KbCandidateSummary } from './ports.ts';

// What the bot sends when the KB has something: an article (with "did this help?"), or a short
// "did you mean" list the customer picks from.

export function articleText(article: Pick<ArticleView, 'title' | 'body'>): string {
  return article.body.trim() ? `**${article.title}**\n\n${article.body.trim()}` : `**${article.title}**`;
}

export async function sendArticle(
  tx: Tx,
  input: {
    conversation: ConversationRef;
    article: Pick<ArticleView, 'id' | 'title' | 'body'>;
    confidence: number;
    language: ReplyLanguage;
    threadId?: string;
    now: Date;
  },
): Promise<string> {
  const { article, ...rest } = input;
  return sendAnswer(tx, { ...rest, text: articleText(article), articleId: article.id });
}

/**
 * An answer the bot gives by itself (an article, or in LLM_MODE=auto a grounded draft), with
 * "did this help?" 👍/👎: a 👎 hands the conversation to the founder.
 */
export async function sendAnswer(
  tx: Tx,
  input: {
    conversation: ConversationRef;
    text: string;
    /** The article it comes from (an LLM answer: the first it cites). */
    articleId: string;
    /** The KB's confidence; null for an LLM answer. */
    confidence: number | null;
    language: ReplyLanguage;
    threadId?: string;
    now: Date;
  },
): Promise<string> {
  const say = phrases(input.language);
  const messageId = await enqueueCustomerMessage(tx, {
    conversation: input.conversation,
    text: input.text,
    format: 'markdown',
    author: 'bot',
    articleId: input.articleId,
    ...(input.confidence !== null ? { confidence: input.confidence } : {}),
    ...(input.threadId ? { threadId: input.threadId } : {}),
    buttonsPrompt: say.helped,
    buttons: (id) => [
      { action: encodeCustomerAction({ kind: 'feedback', vote: 'up', messageId: id }), label: '👍' },
      { action: encodeCustomerAction({ kind: 'feedback', vote: 'down', messageId: id }), label: '👎' },
    ],
  });
  await tx.conversation.update({
    where: { id: input.conversation.id },
    data: { status: 'answered' },
  });
  await tx.conversation.updateMany({
    where: { id: input.conversation.id, firstResponseAt: null },
    data: { firstResponseAt: input.now },
  });
  return messageId;
}

export function summarize(ranked: RankedArticle[]): KbCandidateSummary[] {
  return ranked.map((r) => ({
    articleId: r.article.id,
    slug: r.article.slug,
    title: r.article.title,
    confidence: Math.round(r.confidence * 1000) / 1000,
  }));
}

export async function offerSuggestions(
  tx: Tx,
  input: {
    conversation: ConversationRef;
    articles: KbCandidateSummary[];
    question: string;
    language: ReplyLanguage;
    threadId?: string;
    now: Date;
  },
): Promise<PendingOffer> {
  const say = phrases(input.language);
  const offer: PendingOffer = {
    id: randomBytes(5).toString('hex'),
    articles: input.articles,
    question: input.question,
    at: input.now.toISOString(),
  };
  const list = input.articles.map((a, i) => `${i + 1}. ${a.title}`).join('\n');
  await enqueueCustomerMessage(tx, {
    conversation: input.conversation,
    text: `${say.suggestIntro}\n${list}\n0. ${say.noneOfThese}`,
    author: 'bot',
    ...(input.threadId ? { threadId: input.threadId } : {}),
    buttonsPrompt: say.numberedPrompt,
    buttons: () => [
      // The KB suggests at most three (kb/decision.ts); the encoder refuses a fourth.
      ...input.articles.map((a, i) => ({
        action: encodeCustomerAction({ kind: 'pick', offerId: offer.id, choice: (i + 1) as 1 | 2 | 3 }),
        label: a.title,
      })),
      { action: encodeCustomerAction({ kind: 'none_of_these', offerId: offer.id }), label: say.noneOfThese },
    ],
  });
  return offer;
}
