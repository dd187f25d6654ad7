import type { Prisma } from '@prisma/client';
import { SolodeskError } from '../../errors.ts';
import type { Tx } from '../outbox.ts';
import type { CustomerProfile } from '../ports.ts';

// Who a customer is across channels, read once for every console (`/customer`, the escalation,
// the answer to `!link`/`!tag`/`!note`). A customer linked into another (`!link`) has handed its
// identities and conversations over, so it is read as the one it is linked into; its own tags and
// notes stay on its row (so `!unlink` gives back exactly what it had) and are shown with that one's.

export class CustomerNotFoundError extends SolodeskError {
  constructor(query: string) {
    super('customer_not_found', `no customer matches "${query}"`);
  }
}

export class AmbiguousCustomerError extends SolodeskError {
  constructor(query: string, names: string[]) {
    super('customer_ambiguous', `"${query}" matches ${names.length} customers (${names.join(', ')}): use a longer name or the customer's id`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A chain of links longer than this is a loop, not a history. */
const LINK_DEPTH = 20;
const RECENT_SHOWN = 5;
const MATCHES_SHOWN = 10;

/** The customer `customerId` counts as: itself, or the one it is (transitively) linked into. */
export async function rootCustomerId(db: Tx, customerId: string): Promise<string> {
  let id = customerId;
  for (let depth = 0; depth < LINK_DEPTH; depth++) {
    const row = await db.customer.findUnique({ where: { id }, select: { mergedIntoId: true } });
    if (row?.mergedIntoId == null) return id;
    id = row.mergedIntoId;
  }
  return id;
}

/** The customer and every customer linked into it (directly or through another), root first. */
async function withLinked(db: Tx, rootId: string) {
  const root = await db.customer.findUniqueOrThrow({ where: { id: rootId } });
  const family = [root];
  for (let depth = 0, frontier = [rootId]; depth < LINK_DEPTH && frontier.length > 0; depth++) {
    const next = await db.customer.findMany({ where: { mergedIntoId: { in: frontier } }, orderBy: { updatedAt: 'asc' } });
    family.push(...next);
    frontier = next.map((c) => c.id);
  }
  return family;
}

/** The founder's tags and notes about a customer and the customers linked into it. */
export async function founderNotesOf(db: Tx, customerId: string): Promise<{ tags: string[]; notes: string | null }> {
  return tagsAndNotes(await withLinked(db, customerId));
}

function tagsAndNotes(family: Array<{ tags: string[]; notes: string | null }>): { tags: string[]; notes: string | null } {
  const notes = family.map((c) => c.notes?.trim() ?? '').filter((n) => n !== '');
  return { tags: [...new Set(family.flatMap((c) => c.tags))], notes: notes.length === 0 ? null : notes.join('\n') };
}

/** Everything the founder sees about a customer (read as the one it is linked into, if it is). */
export async function readProfile(db: Tx, customerId: string): Promise<CustomerProfile> {
  const rootId = await rootCustomerId(db, customerId);
  const family = await withLinked(db, rootId);
  const root = family[0]!;
  const [identities, conversationCount, recent, ratings, lastRating] = await Promise.all([
    db.channelIdentity.findMany({ where: { customerId: rootId }, orderBy: { createdAt: 'asc' } }),
    db.conversation.count({ where: { customerId: rootId } }),
    db.conversation.findMany({
      where: { customerId: rootId },
      orderBy: { lastMessageAt: 'desc' },
      take: RECENT_SHOWN,
      include: { messages: { where: { author: 'customer', kind: 'text' }, orderBy: { createdAt: 'asc' }, take: 1, select: { text: true } } },
    }),
    db.feedback.aggregate({ where: { conversation: { customerId: rootId } }, _count: { _all: true }, _avg: { score: true } }),
    db.feedback.findFirst({ where: { conversation: { customerId: rootId } }, orderBy: { createdAt: 'desc' }, select: { score: true, kind: true } }),
  ]);
  return {
    customerId: rootId,
    displayName: root.displayName,
    identities: identities.map((i) => ({ channel: i.channel, externalUserId: i.externalUserId, username: i.username, displayName: i.displayName })),
    conversationCount,
    recentConversations: recent.map((c) => ({
      id: c.id,
      channel: c.channel,
      status: c.status,
      lastMessageAt: c.lastMessageAt.toISOString(),
      firstQuestion: c.messages[0]?.text ?? null,
    })),
    ratings: {
      count: ratings._count._all,
      mean: ratings._avg.score === null ? null : Math.round(ratings._avg.score * 10) / 10,
      last: lastRating === null ? null : { score: lastRating.score, kind: lastRating.kind },
    },
    ...tagsAndNotes(family),
    linked: family.slice(1).map((c) => ({ customerId: c.id, displayName: c.displayName })),
  };
}

/**
 * The customers `query` names, as the ones they count as: an id (of the customer or of a
 * conversation of theirs), else a case-insensitive part of a name, username or platform id.
 * Forgotten customers are found by id only.
 */
export async function matchCustomers(db: Tx, query: string): Promise<string[]> {
  const q = query.trim().replace(/^@/, '');
  if (q === '') return [];
  if (UUID.test(q)) {
    const [customer, conversation] = await Promise.all([
      db.customer.findUnique({ where: { id: q }, select: { id: true } }),
      db.conversation.findUnique({ where: { id: q }, select: { customerId: true } }),
    ]);
    const id = customer?.id ?? conversation?.customerId;
    return id === undefined ? [] : [await rootCustomerId(db, id)];
  }
  const contains: Prisma.StringFilter = { contains: q, mode: 'insensitive' };
  const rows = await db.customer.findMany({
    where: {
      forgottenAt: null,
      OR: [{ displayName: contains }, { identities: { some: { OR: [{ username: contains }, { displayName: contains }, { externalUserId: contains }] } } }],
    },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
    take: MATCHES_SHOWN * 2,
  });
  const roots: string[] = [];
  for (const row of rows) {
    const root = await rootCustomerId(db, row.id);
    if (!roots.includes(root)) roots.push(root);
  }
  return roots.slice(0, MATCHES_SHOWN);
}

/** `/customer <query>`: the profiles of the customers it names (at most ten). */
export async function findCustomerProfiles(db: Tx, query: string): Promise<CustomerProfile[]> {
  const ids = await matchCustomers(db, query);
  return Promise.all(ids.map((id) => readProfile(db, id)));
}

/** The one customer `query` names; throws when none or several do. */
export async function resolveOneCustomer(db: Tx, query: string): Promise<string> {
  const ids = await matchCustomers(db, query);
  if (ids.length === 0) throw new CustomerNotFoundError(query);
  if (ids.length > 1) {
    const names = await db.customer.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } });
    throw new AmbiguousCustomerError(query, names.map((c) => c.displayName ?? c.id));
  }
  return ids[0]!;
}

/** The customer a conversation belongs to, as the one it counts as. */
export async function customerOfConversation(db: Tx, conversationId: string): Promise<string> {
  const conversation = await db.conversation.findUnique({ where: { id: conversationId }, select: { customerId: true } });
  if (conversation === null) throw new SolodeskError('conversation_not_found', `no conversation ${conversationId}`);
  return rootCustomerId(db, conversation.customerId);
}
