import { SolodeskError } from '../../errors.ts';
import type { Tx } from '../outbox.ts';
import type { CustomerChange } from '../ports.ts';
import { customerOfConversation, readProfile } from './profile.ts';

// `!tag` and `!note`: what the founder keeps about a customer (not about one conversation). Both
// stay on the customer's row, never in a message, so no channel can ever send them; both are in
// the audit log with who wrote them.

const TAG_MAX = 40;
const NOTE_MAX = 2000;

/** `!tag Billing, VIP #beta` → `billing`, `vip`, `beta`. */
export function parseTags(argument: string): string[] {
  const tags = argument
    .split(/[\s,，、]+/)
    .map((t) => t.replace(/^#/, '').toLowerCase().slice(0, TAG_MAX))
    .filter((t) => t !== '');
  return [...new Set(tags)];
}

export async function tagCustomer(tx: Tx, input: { conversationId: string; founder: string; tags: string[] }): Promise<CustomerChange> {
  const tags = parseTags(input.tags.join(' '));
  if (tags.length === 0) throw new SolodeskError('no_tags', 'name at least one tag, e.g. !tag vip');
  const customerId = await customerOfConversation(tx, input.conversationId);
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId }, select: { tags: true } });
  const added = tags.filter((t) => !customer.tags.includes(t));
  await tx.customer.update({ where: { id: customerId }, data: { tags: [...customer.tags, ...added] } });
  await tx.auditLog.create({
    data: { actor: input.founder, action: 'customer.tag', entity: 'customer', entityId: customerId, details: { added, conversationId: input.conversationId } },
  });
  return { change: 'tagged', profile: await readProfile(tx, customerId) };
}

/** Appends `2026-12-02 slack:U1: text` to the customer's notes (newest last). */
export async function noteCustomer(tx: Tx, input: { conversationId: string; founder: string; text: string; now: Date }): Promise<CustomerChange> {
  const text = input.text.replace(/\s+/g, ' ').trim().slice(0, NOTE_MAX);
  if (text === '') throw new SolodeskError('empty_note', 'write the note after the command, e.g. !note prefers email');
  const customerId = await customerOfConversation(tx, input.conversationId);
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId }, select: { notes: true } });
  const line = `${input.now.toISOString().slice(0, 10)} ${input.founder}: ${text}`;
  const notes = customer.notes?.trim() ? `${customer.notes.trimEnd()}\n${line}` : line;
  await tx.customer.update({ where: { id: customerId }, data: { notes } });
  await tx.auditLog.create({
    data: { actor: input.founder, action: 'customer.note', entity: 'customer', entityId: customerId, details: { conversationId: input.conversationId } },
  });
  return { change: 'noted', profile: await readProfile(tx, customerId) };
}
