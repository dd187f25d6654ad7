import type { KbAnswer } from '../kb/knowledge-base.ts';
import type { BusinessHours } from '../config/business-hours.ts';
import { isOpen, nextOpening } from './business-hours.ts';
import { enqueueCustomerMessage, enqueueFounderNotice, type Tx } from './outbox.ts';
import { phrases, type ReplyLanguage } from './phrases.ts';
import type { CustomerSummary, EscalationReason, KbCandidateSummary } from './ports.ts';
import { founderNotesOf } from './customers/profile.ts';

// Handing a conversation to the founder: the founder gets the question with its context, the
// customer is told that a person will answer (and when, outside business hours).

export interface EscalationInput {
  conversationId: string;
  reason: EscalationReason;
  question: string;
  attachments: Array<{ kind: string; name?: string }>;
  kb?: KbAnswer;
  /** Shown to the founder instead of the KB's own candidates (a "did you mean" list that did not fit). */
  candidates?: KbCandidateSummary[];
  language: ReplyLanguage;
  threadId?: string;
  businessHours?: BusinessHours;
  now: Date;
  /** The customer was already told something that covers it (e.g. the flood notice). */
  customerText?: string;
  /** A reply the LLM drafted from the KB, for the founder to send or edit. */
  draft?: EscalationDraft;
}

export interface EscalationDraft {
  text: string;
  /** The published articles it cites. */
  sources: Array<{ id: string; slug: string; title: string }>;
  /** LLM_MODE=auto: why it did not go to the customer by itself. */
  notSentBecause?: string;
}

export async function escalateToFounder(tx: Tx, input: EscalationInput): Promise<void> {
  const conversation = await tx.conversation.update({
    where: { id: input.conversationId },
    data: { status: 'escalated', escalatedAt: input.now },
  });
  const say = phrases(input.language);
  const away =
    input.businessHours && !isOpen(input.businessHours, input.now)
      ? say.away(nextOpening(input.businessHours, input.now))
      : undefined;
  const customerText = [input.customerText ?? say.escalated, away].filter(Boolean).join(' ');
  await enqueueCustomerMessage(tx, {
    conversation,
    text: customerText,
    author: 'system',
    ...(input.threadId ? { threadId: input.threadId } : {}),
  });

  const [customer, history] = await Promise.all([
    describeCustomer(tx, conversation.id),
    tx.message.findMany({
      where: { conversationId: conversation.id },
      orderBy: { createdAt: 'desc' },
      take: 10,
    }),
  ]);
  await enqueueFounderNotice(tx, {
    type: 'escalation',
    conversationId: conversation.id,
    reason: input.reason,
    customer,
    question: input.question,
    attachments: input.attachments,
    history: history.reverse().map((m) => ({ author: m.author, text: m.text, at: m.createdAt.toISOString() })),
    candidates: candidatesFor(input),
    ...(input.draft
      ? {
          draft: input.draft.text,
          draftSources: input.draft.sources.map((a) => ({ slug: a.slug, title: a.title })),
          ...(input.draft.notSentBecause ? { notSentBecause: input.draft.notSentBecause } : {}),
        }
      : {}),
    ...(away ? { customerNotice: away } : {}),
  });
}

/** Who the founder is talking to: name, where, how often before, how they last rated us. */
export async function describeCustomer(tx: Tx, conversationId: string): Promise<CustomerSummary> {
  const conversation = await tx.conversation.findUniqueOrThrow({
    where: { id: conversationId },
    include: { customer: { include: { identities: true } } },
  });
  const identity = conversation.customer.identities.find((i) => i.channel === conversation.channel);
  const [earlierConversations, lastFeedback, aboutCustomer] = await Promise.all([
    tx.conversation.count({ where: { customerId: conversation.customerId, id: { not: conversation.id } } }),
    tx.feedback.findFirst({
      where: { conversation: { customerId: conversation.customerId } },
      orderBy: { createdAt: 'desc' },
    }),
    founderNotesOf(tx, conversation.customerId),
  ]);
  return {
    customerId: conversation.customerId,
    displayName: conversation.customer.displayName,
    channel: conversation.channel,
    externalUserId: identity?.externalUserId ?? conversation.externalChatId,
    username: identity?.username ?? null,
    earlierConversations,
    lastRating: lastFeedback?.score ?? null,
    // Every channel the customer wrote from (`!link` joins them), and what the founder keeps on them.
    identities: conversation.customer.identities.map((i) => ({ channel: i.channel, externalUserId: i.externalUserId, username: i.username, displayName: i.displayName })),
    ...aboutCustomer,
  };
}

function candidatesFor(input: EscalationInput): KbCandidateSummary[] {
  if (input.candidates) return input.candidates;
  return (input.kb?.ranked ?? []).slice(0, 3).map((r) => ({
    articleId: r.article.id,
    slug: r.article.slug,
    title: r.article.title,
    confidence: Math.round(r.confidence * 1000) / 1000,
  }));
}
