import { Prisma, type PrismaClient } from '@prisma/client';
import { SolodeskError } from '../../errors.ts';
import { recordRevisions } from '../../kb/article-store.ts';
import type { Clock } from '../../observability/clock.ts';
import { lockChat } from '../inbound-pipeline.ts';
import { phrases, replyLanguageOf } from '../phrases.ts';
import type { Tx } from '../outbox.ts';

// A customer's data rights: `customer export` (everything stored about them) and `customer forget`
// (their texts and identities erased, the anonymous facts reports count kept).
//
// Forget works on the customer's whole linked group: every customer joined to it by `!link`
// (Customer.mergedIntoId, or a CustomerLink not undone) in either direction, since the founder
// said they are one person. Rules, all in one transaction:
// - Every message of their conversations loses its text, raw payload and attachment names, also
//   the bot's, founder's and system's: a reply can quote the customer, and telling which ones do
//   is guesswork. What reports read stays (direction, author, kind, channel, times, article,
//   confidence, a placeholder in the text's script, button codes: see eraseMessages), so the
//   report over the same period reads the same before and after.
// - Conversation.state (offers, lessons, LLM drafts) is emptied, and the conversation's chat id is
//   replaced: the pipeline finds an open conversation by chat, so a new message from that person
//   must not land in the forgotten one. Their identities are deleted, so it starts a new customer.
// - Inbound deliveries and outbox rows keep their rows (dedupe keys, counts) but not their texts.
//   A delivery not yet decided is not decided: it is marked failed with a reason and counted in
//   the audit row and the command's output (deciding it would store the text again, under a new
//   customer). A pending outbox row is failed the same way: nothing more goes to the person.
// - Example questions in KB articles that are the customer's words (learned from a pick, or saved
//   by the founder) are removed from the articles and from their revision history. Article bodies
//   are the founder's writing and stay.
// - Audit rows about them keep their action, actor and numbers; their texts are erased.
// Not reached: a rejected delivery (no conversation, an unparsed payload) and a channel event
// (a WeChat friend request's hello), which are tied to no customer.

export class CustomerNotFoundError extends SolodeskError {
  constructor(id: string) {
    super('customer_not_found', `no customer ${id}`);
  }
}

export const FORGET_ACTION = 'customer.forget';
/** What an erased string becomes inside kept JSON (outbox payloads, audit details). */
export const ERASED = '[erased]';
/** What an erased message text becomes, in the script it was written in. */
export const ERASED_TEXT = { en: ERASED, zh: '[已删除]' } as const;
const FORGOTTEN_PAYLOAD = { forgotten: true };
const NOT_SENT = 'customer forgotten before it was sent';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// JSON keys whose string values are codes, never free text: kept so a scrubbed row still says
// what it was (a customer delivery, an escalation, a status change).
const CODE_KEYS = new Set(['type', 'kind', 'status', 'reason', 'format', 'channel', 'action', 'slug', 'vote', 'outcome']);

export interface CustomerExport {
  exportedAt: string;
  customer: Prisma.CustomerGetPayload<object>;
  /** Customers linked with this one (`!link`), exported alongside: the founder said they are one person. */
  linkedCustomers: Array<Prisma.CustomerGetPayload<object>>;
  identities: Array<Prisma.ChannelIdentityGetPayload<object>>;
  conversations: Array<Prisma.ConversationGetPayload<{ include: { messages: true; feedback: true } }>>;
  links: Array<Prisma.CustomerLinkGetPayload<object>>;
  audit: Array<Prisma.AuditLogGetPayload<object>>;
}

export interface ForgetSummary {
  customerIds: string[];
  conversations: number;
  messages: number;
  identities: number;
  feedback: number;
  inboundEvents: number;
  /** Deliveries not decided yet: dropped, so their text is not stored again. */
  undecidedDropped: number;
  outboxRows: number;
  /** Deliveries to the person or founder notices not sent yet: failed, not sent. */
  unsentCancelled: number;
  auditRows: number;
  articlesEdited: number;
}

/** Everything stored about a customer (and the customers linked with it), as JSON-able data. */
export async function exportCustomer(prisma: PrismaClient, customerId: string, clock: Clock): Promise<CustomerExport> {
  return prisma.$transaction(async (tx) => {
    const group = await linkedGroup(tx, customerId);
    const customers = await tx.customer.findMany({ where: { id: { in: group } }, orderBy: { createdAt: 'asc' } });
    const conversations = await tx.conversation.findMany({
      where: { customerId: { in: group } },
      include: { messages: { orderBy: { createdAt: 'asc' } }, feedback: { orderBy: { createdAt: 'asc' } } },
      orderBy: { createdAt: 'asc' },
    });
    return {
      exportedAt: new Date(clock.now()).toISOString(),
      customer: customers.find((c) => c.id === customerId)!,
      linkedCustomers: customers.filter((c) => c.id !== customerId),
      identities: await tx.channelIdentity.findMany({ where: { customerId: { in: group } }, orderBy: { createdAt: 'asc' } }),
      conversations,
      links: await tx.customerLink.findMany({
        where: { OR: [{ fromCustomerId: { in: group } }, { intoCustomerId: { in: group } }] },
        orderBy: { createdAt: 'asc' },
      }),
      audit: await tx.auditLog.findMany({ where: { id: { in: await auditIdsAbout(tx, group, conversations.map((c) => c.id)) } }, orderBy: { createdAt: 'asc' } }),
    };
  });
}

/** Erases a customer's texts and identities (see the rules above); returns what it touched, counts only. */
export async function forgetCustomer(
  prisma: PrismaClient,
  customerId: string,
  deps: { actor: string; clock: Clock },
): Promise<ForgetSummary> {
  return prisma.$transaction(
    async (tx) => {
      const group = await linkedGroup(tx, customerId);
      const conversations = await tx.conversation.findMany({ where: { customerId: { in: group } }, select: { id: true, channel: true, externalChatId: true } });
      // The pipeline decides a chat's messages under this lock: none is half-decided while we erase.
      for (const chat of [...new Set(conversations.map((c) => `${c.channel}\u0000${c.externalChatId}`))].sort()) {
        const [channel, chatId] = chat.split('\u0000') as [string, string];
        await lockChat(tx, channel, chatId);
      }
      const conversationIds = conversations.map((c) => c.id);
      const identities = await tx.channelIdentity.findMany({ where: { customerId: { in: group } }, select: { channel: true, externalUserId: true } });
      const customerTexts = await tx.message.findMany({
        where: { conversationId: { in: conversationIds }, author: 'customer' },
        select: { text: true },
      });
      const articlesEdited = await removeExampleQuestions(tx, customerTexts.map((m) => m.text), group, deps.actor);
      const messages = await eraseMessages(tx, conversationIds);
      const feedback = await tx.feedback.updateMany({ where: { conversationId: { in: conversationIds } }, data: { comment: null } });
      if (conversationIds.length > 0) {
        await tx.$executeRaw`
          UPDATE "Conversation" SET state = '{}'::jsonb, "externalChatId" = 'forgotten:' || id::text
           WHERE id IN (${uuidList(conversationIds)})`;
      }
      const inbound = await eraseInbound(tx, conversationIds, identities);
      const outbox = await eraseOutbox(tx, conversationIds);
      const auditIds = await auditIdsAbout(tx, group, conversationIds);
      for (const row of await tx.auditLog.findMany({ where: { id: { in: auditIds } }, select: { id: true, details: true } })) {
        await tx.auditLog.update({ where: { id: row.id }, data: { details: scrubJson(row.details) as Prisma.InputJsonValue } });
      }
      const deletedIdentities = await tx.channelIdentity.deleteMany({ where: { customerId: { in: group } } });
      // The web chat's browsers of this customer start over as new visitors: their tokens open nothing.
      const webVisitors = identities.filter((i) => i.channel === 'web').map((i) => i.externalUserId);
      if (webVisitors.length > 0) await tx.webSession.deleteMany({ where: { visitorId: { in: webVisitors } } });
      const at = new Date(deps.clock.now());
      await tx.customer.updateMany({
        where: { id: { in: group } },
        data: { displayName: null, locale: null, notes: null, tags: [], forgottenAt: at },
      });
      const summary: ForgetSummary = {
        customerIds: group,
        conversations: conversationIds.length,
        messages,
        identities: deletedIdentities.count,
        feedback: feedback.count,
        inboundEvents: inbound.erased,
        undecidedDropped: inbound.dropped,
        outboxRows: outbox.erased,
        unsentCancelled: outbox.cancelled,
        auditRows: auditIds.length,
        articlesEdited,
      };
      const { customerIds: _ids, ...counts } = summary;
      await tx.auditLog.create({
        data: { actor: deps.actor, action: FORGET_ACTION, entity: 'customer', entityId: customerId, details: { ...counts, customers: group.length }, createdAt: at },
      });
      return summary;
    },
    { timeout: 120_000, maxWait: 15_000 },
  );
}

/** The customer and every customer joined to it by links not undone, in both directions. */
async function linkedGroup(tx: Tx, customerId: string): Promise<string[]> {
  if (!UUID.test(customerId) || !(await tx.customer.findUnique({ where: { id: customerId }, select: { id: true } }))) {
    throw new CustomerNotFoundError(customerId);
  }
  const group = new Set([customerId]);
  let frontier = [customerId];
  while (frontier.length > 0) {
    const customers = await tx.customer.findMany({
      where: { OR: [{ id: { in: frontier } }, { mergedIntoId: { in: frontier } }] },
      select: { id: true, mergedIntoId: true },
    });
    const links = await tx.customerLink.findMany({
      where: { undoneAt: null, OR: [{ fromCustomerId: { in: frontier } }, { intoCustomerId: { in: frontier } }] },
      select: { fromCustomerId: true, intoCustomerId: true },
    });
    const found = [
      ...customers.flatMap((c) => (c.mergedIntoId ? [c.id, c.mergedIntoId] : [c.id])),
      ...links.flatMap((l) => [l.fromCustomerId, l.intoCustomerId]),
    ];
    frontier = [...new Set(found)].filter((id) => !group.has(id));
    for (const id of frontier) group.add(id);
  }
  return [...group];
}

/**
 * Erases every message of the conversations, keeping what reports read; returns how many. A text
 * becomes a placeholder in its script (reports tell a conversation's language by it, and count a
 * founder reply by a text being there); the bot's own fixed phrases (a "Did you mean" list's
 * intro) stay, and so does a bare number, which is a button press typed (a pick, a rating).
 * A press keeps its button code; attachments keep only their kind ("a photo was sent").
 */
async function eraseMessages(tx: Tx, conversationIds: string[]): Promise<number> {
  const messages = await tx.message.findMany({
    where: { conversationId: { in: conversationIds } },
    select: { id: true, author: true, kind: true, text: true, raw: true, attachments: true },
  });
  // One UPDATE per distinct result, not per message.
  const updates = new Map<string, { ids: string[]; data: Prisma.MessageUpdateManyMutationInput }>();
  for (const m of messages) {
    const raw = m.kind === 'action' && m.raw !== null ? (scrubJson(m.raw) as Prisma.InputJsonValue) : Prisma.DbNull;
    const attachments = (Array.isArray(m.attachments) ? m.attachments : []).map((a) => ({ kind: String((a as { kind?: unknown } | null)?.kind ?? 'other') }));
    const data: Prisma.MessageUpdateManyMutationInput = { text: erasedText(m), raw, attachments, ...(m.author === 'customer' ? { authorRef: null } : {}) };
    const key = JSON.stringify([data.text, raw === Prisma.DbNull ? null : raw, attachments, m.author === 'customer']);
    const update = updates.get(key) ?? { ids: [] as string[], data };
    update.ids.push(m.id);
    updates.set(key, update);
  }
  for (const { ids, data } of updates.values()) await tx.message.updateMany({ where: { id: { in: ids } }, data });
  return messages.length;
}

const BOT_PHRASES = (['en', 'zh'] as const)
  .flatMap((language) => Object.values(phrases(language)).filter((p): p is string => typeof p === 'string'))
  .sort((a, b) => b.length - a.length);

function erasedText(m: { author: string; text: string }): string {
  if (m.author === 'customer' && /^\s*\d{1,2}\s*$/.test(m.text)) return m.text;
  const own = m.author === 'bot' || m.author === 'system' ? BOT_PHRASES.find((p) => m.text.startsWith(p)) : undefined;
  if (own !== undefined) return own;
  return replyLanguageOf(m.text) === 'zh' ? ERASED_TEXT.zh : ERASED_TEXT.en;
}

async function eraseInbound(
  tx: Tx,
  conversationIds: string[],
  identities: Array<{ channel: string; externalUserId: string }>,
): Promise<{ erased: number; dropped: number }> {
  const matches = [
    ...(conversationIds.length > 0 ? [Prisma.sql`"conversationId" IN (${uuidList(conversationIds)})`] : []),
    // Not decided yet, a delivery has no conversation: it is found by who sent it.
    ...identities.map((i) => Prisma.sql`(channel = ${i.channel} AND payload ->> 'externalUserId' = ${i.externalUserId})`),
  ];
  if (matches.length === 0) return { erased: 0, dropped: 0 };
  const rows = await tx.$queryRaw<Array<{ id: string; status: string }>>`
    SELECT id::text AS id, status::text AS status FROM "InboundEvent" WHERE ${Prisma.join(matches, ' OR ')}`;
  const dropped = rows.filter((r) => r.status === 'pending').map((r) => r.id);
  await tx.inboundEvent.updateMany({
    where: { id: { in: dropped } },
    data: { status: 'failed', reason: 'customer forgotten before it was decided', lockedUntil: null },
  });
  await tx.inboundEvent.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { payload: FORGOTTEN_PAYLOAD } });
  return { erased: rows.length, dropped: dropped.length };
}

async function eraseOutbox(tx: Tx, conversationIds: string[]): Promise<{ erased: number; cancelled: number }> {
  if (conversationIds.length === 0) return { erased: 0, cancelled: 0 };
  const ids = uuidList(conversationIds);
  // Customer deliveries point at their message; founder notices name the conversation.
  const rows = await tx.$queryRaw<Array<{ id: string; status: string; messageId: string | null; payload: unknown; target: unknown }>>`
    SELECT o.id::text AS id, o.status::text AS status, o."messageId"::text AS "messageId", o.payload, o.target FROM "Outbox" o
     WHERE o."messageId" IN (SELECT m.id FROM "Message" m WHERE m."conversationId" IN (${ids}))
        OR o.payload ->> 'conversationId' IN (${Prisma.join(conversationIds)})
        OR o.target ->> 'conversationId' IN (${Prisma.join(conversationIds)})`;
  let cancelled = 0;
  for (const row of rows) {
    const cancel = row.status === 'pending';
    if (cancel) cancelled++;
    await tx.outbox.update({
      where: { id: row.id },
      data: {
        payload: scrubJson(row.payload) as Prisma.InputJsonValue,
        target: scrubJson(row.target) as Prisma.InputJsonValue,
        ...(cancel ? { status: 'failed', lastError: NOT_SENT, lockedUntil: null } : {}),
      },
    });
    if (cancel && row.messageId) {
      await tx.message.updateMany({ where: { id: row.messageId, deliveryState: 'pending' }, data: { deliveryState: 'failed', deliveryError: NOT_SENT } });
    }
  }
  return { erased: rows.length, cancelled };
}

/**
 * Removes the customer's words from KB example questions, in the articles and their history;
 * returns how many articles changed. Matched as `addExampleQuestion` stores them: trimmed, cut
 * at 500 characters, case-insensitive.
 */
async function removeExampleQuestions(tx: Tx, texts: string[], group: string[], actor: string): Promise<number> {
  const words = new Set(texts.map((t) => t.trim().slice(0, 500).toLowerCase()).filter(Boolean));
  if (words.size === 0) return 0;
  const theirs = (question: string) => words.has(question.trim().toLowerCase());
  const learnedBy = new Set(group.map((id) => `customer:${id}`));
  const articles = await tx.article.findMany({ select: { id: true, questions: true } });
  let edited = 0;
  for (const article of articles.filter((a) => a.questions.some(theirs))) {
    const updated = await tx.article.update({
      where: { id: article.id },
      data: { questions: article.questions.filter((q) => !theirs(q)), version: { increment: 1 } },
    });
    await recordRevisions(tx, [updated], actor, 'example question removed: customer data erased');
    edited++;
  }
  const revisions = await tx.articleRevision.findMany({ select: { id: true, questions: true, author: true, change: true } });
  for (const revision of revisions) {
    const learned = revision.author !== null && learnedBy.has(revision.author);
    if (!learned && !revision.questions.some(theirs)) continue;
    await tx.articleRevision.update({
      where: { id: revision.id },
      // A lesson's change line quotes the question it learned.
      data: { questions: revision.questions.filter((q) => !theirs(q)), ...(learned ? { change: `${revision.change.split(':')[0]}: ${ERASED}` } : {}) },
    });
  }
  return edited;
}

/** Audit rows about the customers or their conversations, or acted by them (lessons). */
async function auditIdsAbout(tx: Tx, group: string[], conversationIds: string[]): Promise<string[]> {
  const ids = [...group, ...conversationIds];
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM "AuditLog"
     WHERE "entityId" IN (${Prisma.join(ids)})
        OR actor IN (${Prisma.join(group.map((id) => `customer:${id}`))})
        OR ${Prisma.join(ids.map((id) => Prisma.sql`strpos(details::text, ${id}) > 0`), ' OR ')}`;
  return rows.map((r) => r.id);
}

/**
 * Keeps a JSON value's shape and its numbers, ids and codes; every other string is erased.
 * Used where a row must stay (an outbox delivery, an audit entry) but its texts must go.
 */
export function scrubJson(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return UUID.test(value) || (key !== undefined && CODE_KEYS.has(key)) ? value : ERASED;
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubJson(v, k)]));
  }
  return value;
}

function uuidList(ids: string[]): Prisma.Sql {
  return Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));
}
