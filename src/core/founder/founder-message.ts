import { SolodeskError } from '../../errors.ts';
import type { CustomerChange, FounderActions } from '../ports.ts';
import { classifyFounderText, type FounderText } from './founder-text.ts';

// A founder's message in a conversation, from any console: classified once and run through the
// core here, so "a note is never sent" and the meaning of every command are decided in one place.
// Adapters only render the outcome.

export interface FounderMessageInput {
  conversationId: string;
  /** The text as the platform delivered it. */
  text: string;
  /**
   * The same text read as plain text (Slack: mrkdwn decoded). When given, commands and replies use
   * it, and a note prefix in either reading makes a note: an escape must not leak a note.
   */
  plainText?: string;
  /** `slack:U1`, `telegram:123`, `console:me`. */
  founder: string;
  /** Dedupes a redelivered message, note or reply. */
  platformMessageId?: string;
  attachments?: Array<{ kind: string; name?: string }>;
}

export type FounderOutcome =
  | { kind: 'note_kept' }
  | { kind: 'sent' }
  /** `!send`: the LLM's draft went to the customer as the founder's reply. */
  | { kind: 'draft_sent' }
  /** A redelivery of a message already handled: nothing was done again. */
  | { kind: 'already_sent' }
  /** The text went out; the files did not (the console is told which, by a notice). */
  | { kind: 'sent_without_files' }
  /** Only files and no text: nothing went out (the console is told, by a notice). */
  | { kind: 'files_not_relayed' }
  | { kind: 'nothing_to_send' }
  | { kind: 'resolved' }
  | { kind: 'reopened' }
  | { kind: 'saved'; slug: string; created: boolean; published: boolean }
  | { kind: 'unknown_command'; command: string }
  /** `!link`, `!unlink`, `!tag`, `!note`: the customer as it is now (customerChangeText says it). */
  | { kind: 'customer_changed'; change: CustomerChange }
  /** The core said no (already resolved, nothing to save, no such conversation …). */
  | { kind: 'failed'; reason: string };

/** Throws only what is not the core saying no (a database failure): the adapter's retry path. */
export async function handleFounderMessage(founder: FounderActions, input: FounderMessageInput): Promise<FounderOutcome> {
  const meaning = classifyFounderText(input.plainText ?? input.text);
  const asTyped = input.plainText === undefined ? meaning : classifyFounderText(input.text);
  const attachments = input.attachments ?? [];
  const who = { conversationId: input.conversationId, founder: input.founder };
  const dedupe = input.platformMessageId !== undefined ? { platformMessageId: input.platformMessageId } : {};
  try {
    if (meaning.kind === 'note' || asTyped.kind === 'note') {
      const text = meaning.kind === 'note' ? meaning.text : (input.plainText ?? input.text).trim();
      await founder.note({ ...who, text, ...dedupe, ...(attachments.length > 0 ? { attachments } : {}) });
      return { kind: 'note_kept' };
    }
    return await run(founder, meaning, who, dedupe, attachments);
  } catch (error) {
    if (error instanceof SolodeskError) return { kind: 'failed', reason: error.message };
    throw error;
  }
}

async function run(
  founder: FounderActions,
  meaning: Exclude<FounderText, { kind: 'note' }>,
  who: { conversationId: string; founder: string },
  dedupe: { platformMessageId?: string },
  attachments: Array<{ kind: string; name?: string }>,
): Promise<FounderOutcome> {
  switch (meaning.kind) {
    case 'empty': {
      if (attachments.length === 0) return { kind: 'nothing_to_send' };
      // Files with no text: nothing for the customer, but the founder must hear they did not go.
      const result = await founder.reply({ ...who, text: '', ...dedupe, attachments });
      return result.duplicate ? { kind: 'already_sent' } : { kind: 'files_not_relayed' };
    }
    case 'unknown_command':
      return { kind: 'unknown_command', command: meaning.command };
    case 'command':
      if (meaning.command === 'resolve') {
        await founder.resolve(who);
        return { kind: 'resolved' };
      }
      if (meaning.command === 'reopen') {
        await founder.reopen(who);
        return { kind: 'reopened' };
      }
      if (meaning.command === 'link' || meaning.command === 'unlink' || meaning.command === 'tag' || meaning.command === 'note') {
        return { kind: 'customer_changed', change: await changeCustomer(founder, meaning.command, meaning.argument, who) };
      }
      if (meaning.command === 'send') {
        const result = await founder.sendDraft({ ...who, ...dedupe });
        return result.duplicate ? { kind: 'already_sent' } : { kind: 'draft_sent' };
      }
      {
        const saved = await founder.saveAsArticle({ ...who, publish: meaning.publish, ...(meaning.argument !== '' ? { title: meaning.argument } : {}) });
        return { kind: 'saved', slug: saved.slug, created: saved.created, published: meaning.publish };
      }
    case 'reply': {
      const result = await founder.reply({ ...who, text: meaning.text, ...dedupe, ...(attachments.length > 0 ? { attachments } : {}) });
      if (result.duplicate) return { kind: 'already_sent' };
      return attachments.length > 0 ? { kind: 'sent_without_files' } : { kind: 'sent' };
    }
  }
}

async function changeCustomer(
  founder: FounderActions,
  command: 'link' | 'unlink' | 'tag' | 'note',
  argument: string,
  who: { conversationId: string; founder: string },
): Promise<CustomerChange> {
  switch (command) {
    case 'link':
      if (argument === '') throw new SolodeskError('usage', 'name the customer to link: !link <name, username or id>');
      return founder.linkCustomer({ ...who, query: argument });
    case 'unlink':
      return founder.unlinkCustomer(who);
    case 'tag':
      return founder.tagCustomer({ ...who, tags: argument.split(/\s+/) });
    case 'note':
      return founder.noteCustomer({ ...who, text: argument });
  }
}
