import { SolodeskError } from '../../errors.ts';
import type { Tx } from '../outbox.ts';
import type { CustomerChange } from '../ports.ts';
import { customerOfConversation, readProfile, resolveOneCustomer } from './profile.ts';

// `!link` and `!unlink`: one person who wrote on two channels becomes one customer, and back.
// Nothing is copied or deleted: the other customer's identities and conversations change owner,
// and the link row records exactly which ones, so `!unlink` moves those back. Every conversation
// keeps its channel and chat, so replies still go where the customer wrote, and a new message from
// either identity continues its own conversation (the pipeline finds conversations by chat).

export class CustomerLinkError extends SolodeskError {
  constructor(message: string) {
    super('customer_link_refused', message);
  }
}

/** Links the customer `query` names into the customer of `conversationId`. One transaction. */
export async function linkCustomers(tx: Tx, input: { conversationId: string; founder: string; query: string }): Promise<CustomerChange> {
  const intoId = await customerOfConversation(tx, input.conversationId);
  const fromId = await resolveOneCustomer(tx, input.query);
  if (fromId === intoId) throw new CustomerLinkError('that is already this customer');
  // Claims the other customer: of two links racing for it, one finds it already taken.
  const claimed = await tx.customer.updateMany({ where: { id: fromId, mergedIntoId: null }, data: { mergedIntoId: intoId } });
  if (claimed.count !== 1) throw new CustomerLinkError('that customer was just linked elsewhere');
  const [identities, conversations] = await Promise.all([
    tx.channelIdentity.findMany({ where: { customerId: fromId }, select: { id: true } }),
    tx.conversation.findMany({ where: { customerId: fromId }, select: { id: true } }),
  ]);
  const identityIds = identities.map((i) => i.id);
  const conversationIds = conversations.map((c) => c.id);
  await tx.channelIdentity.updateMany({ where: { id: { in: identityIds } }, data: { customerId: intoId } });
  await tx.conversation.updateMany({ where: { id: { in: conversationIds } }, data: { customerId: intoId } });
  const link = await tx.customerLink.create({ data: { fromCustomerId: fromId, intoCustomerId: intoId, identityIds, conversationIds, by: input.founder } });
  await tx.auditLog.create({
    data: {
      actor: input.founder,
      action: 'customer.link',
      entity: 'customer',
      entityId: intoId,
      details: { linkId: link.id, fromCustomerId: fromId, identityIds, conversationIds },
    },
  });
  const other = await tx.customer.findUniqueOrThrow({ where: { id: fromId }, select: { id: true, displayName: true } });
  return { change: 'linked', profile: await readProfile(tx, intoId), other: { customerId: other.id, displayName: other.displayName } };
}

/**
 * Undoes the last link into the customer of `conversationId`: the identities and conversations it
 * moved go back, and so do conversations opened since in those conversations' chats (they are the
 * other customer's too). One transaction.
 */
export async function unlinkLast(tx: Tx, input: { conversationId: string; founder: string; now: Date }): Promise<CustomerChange> {
  const intoId = await customerOfConversation(tx, input.conversationId);
  const link = await tx.customerLink.findFirst({ where: { intoCustomerId: intoId, undoneAt: null }, orderBy: { createdAt: 'desc' } });
  if (link === null) throw new CustomerLinkError('this customer has no link to undo');
  const undone = await tx.customerLink.updateMany({ where: { id: link.id, undoneAt: null }, data: { undoneAt: input.now } });
  if (undone.count !== 1) throw new CustomerLinkError('that link was just undone');
  const moved = await tx.conversation.findMany({ where: { id: { in: link.conversationIds } }, select: { channel: true, externalChatId: true } });
  const openedSince = moved.length === 0
    ? []
    : await tx.conversation.findMany({
        where: {
          customerId: intoId,
          createdAt: { gt: link.createdAt },
          OR: moved.map((c) => ({ channel: c.channel, externalChatId: c.externalChatId })),
        },
        select: { id: true },
      });
  const conversationIds = [...link.conversationIds, ...openedSince.map((c) => c.id)];
  await tx.channelIdentity.updateMany({ where: { id: { in: link.identityIds }, customerId: intoId }, data: { customerId: link.fromCustomerId } });
  await tx.conversation.updateMany({ where: { id: { in: conversationIds }, customerId: intoId }, data: { customerId: link.fromCustomerId } });
  const other = await tx.customer.update({ where: { id: link.fromCustomerId }, data: { mergedIntoId: null }, select: { id: true, displayName: true } });
  await tx.auditLog.create({
    data: {
      actor: input.founder,
      action: 'customer.unlink',
      entity: 'customer',
      entityId: intoId,
      details: { linkId: link.id, fromCustomerId: link.fromCustomerId, identityIds: link.identityIds, conversationIds },
    },
  });
  return { change: 'unlinked', profile: await readProfile(tx, intoId), other: { customerId: other.id, displayName: other.displayName } };
}
