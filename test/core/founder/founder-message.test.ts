import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleFounderMessage, type FounderMessageInput } from '../../../src/core/founder/founder-message.ts';
import { enqueueCustomerMessage, enqueueStoredMessage, NoteNotSendableError } from '../../../src/core/outbox.ts';
import { SolodeskError } from '../../../src/errors.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// Every kind of founder text, run through the real core on a real (PGlite) database: what is
// stored, what reaches the outbox, and the outcome the consoles render.

let desk: TestDesk;
let customer: RecordingSender;
let consoleNotices: RecordingSender;
let conversationId: string;
let seq = 0;

beforeEach(async () => {
  customer = new RecordingSender('test');
  consoleNotices = new RecordingSender('founder');
  desk = await createTestDesk({ senders: [customer, consoleNotices] });
  const stored = await desk.decided(
    await desk.core.handleInbound({
      channel: 'test', externalUserId: 'u1', externalChatId: 'c1', platformMessageId: 'm1',
      text: 'Do you ship to Canada?', sender: { displayName: 'Ada' },
    }),
  );
  conversationId = stored.conversationId!;
});

afterEach(async () => {
  await desk.dispose();
});

const prisma = () => desk.database.db.prisma;

function founderSays(text: string, extra: Partial<FounderMessageInput> = {}) {
  return handleFounderMessage(desk.core.founder, {
    conversationId, text, founder: 'slack:U1', platformMessageId: `slack:C1:${++seq}`, ...extra,
  });
}

/** Outbox rows that would reach the customer's channel. */
const customerOutbox = () => prisma().outbox.count({ where: { channel: 'test', messageId: { not: null } } });

describe('a private note', () => {
  it.each([
    'note: she asked the same last month',
    'Note - check their plan first',
    ';; not for the customer',
    '// not for the customer',
    '(note) they were rude',
    '[note] call them tomorrow',
    '*note*: bold in Slack',
    'note：全角冒号',
    '\u200bnote: after an invisible character',
  ])('%j is stored as a note and has no outbox row', async (text) => {
    const before = await customerOutbox();
    expect(await founderSays(text)).toEqual({ kind: 'note_kept' });
    const notes = await prisma().message.findMany({ where: { conversationId, kind: 'note' }, include: { outbox: true } });
    expect(notes).toMatchObject([
      { text: text.trim(), author: 'founder', authorRef: 'slack:U1', direction: 'outbound', deliveryState: 'not_applicable', outbox: [] },
    ]);
    expect(await customerOutbox()).toBe(before);
    await desk.drain();
    expect(customer.texts().join('\n')).not.toContain(text.trim());
  });

  it('is a note when only the plain reading has the prefix (an escaped Slack text)', async () => {
    expect(await founderSays('&gt;note: escaped', { plainText: '>note: escaped' })).toEqual({ kind: 'note_kept' });
    expect(await prisma().message.count({ where: { conversationId, kind: 'note', text: '>note: escaped' } })).toBe(1);
  });

  it('redelivered under the same platform id is kept once', async () => {
    const input = { platformMessageId: 'slack:C1:same' };
    expect(await founderSays('note: once', input)).toEqual({ kind: 'note_kept' });
    expect(await founderSays('note: once', input)).toEqual({ kind: 'note_kept' });
    expect(await prisma().message.count({ where: { kind: 'note' } })).toBe(1);
  });

  it('is never made into an article by !save', async () => {
    await founderSays('We ship to Canada in 5–7 days.');
    await founderSays('note: shipping costs are going up next month');
    const saved = await founderSays('!save Shipping to Canada');
    expect(saved).toMatchObject({ kind: 'saved', created: true, published: false });
    const article = await desk.kb.getBySlug((saved as { slug: string }).slug);
    expect(article?.body).toBe('We ship to Canada in 5–7 days.');
  });
});

describe('the outbox refuses notes', () => {
  it('a stored note cannot be given a delivery', async () => {
    await founderSays('note: internal');
    const note = await prisma().message.findFirstOrThrow({ where: { kind: 'note' } });
    const conversation = await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const attempt = prisma().$transaction((tx) =>
      enqueueStoredMessage(tx, {
        messageId: note.id,
        conversation,
        message: { channel: 'test', chatId: conversation.externalChatId, text: note.text, format: 'plain' },
      }));
    await expect(attempt).rejects.toBeInstanceOf(NoteNotSendableError);
    await expect(attempt).rejects.toMatchObject({ code: 'note_not_sendable' });
    expect(await prisma().outbox.count({ where: { messageId: note.id } })).toBe(0);
  });

  it('enqueueCustomerMessage refuses a message passed as a note, and stores nothing', async () => {
    const conversation = await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const before = await prisma().message.count();
    const input = { conversation, text: 'note: internal', author: 'founder' as const, kind: 'note' };
    const attempt = prisma().$transaction((tx) => enqueueCustomerMessage(tx, input));
    await expect(attempt).rejects.toBeInstanceOf(SolodeskError);
    expect(await prisma().message.count()).toBe(before);
  });
});

describe('founder.reply itself refuses a note', () => {
  it.each(['note: the customer is on the old plan', ';; do not offer the discount', '\u200bNote - internal'])(
    'called directly with %j (a draft button, a channel that skipped the classifier): nothing stored, nothing sent',
    async (text) => {
      const before = await prisma().message.count();
      const attempt = desk.core.founder.reply({ conversationId, text, founder: 'slack:U1', platformMessageId: `slack:draft:${++seq}` });
      await expect(attempt).rejects.toBeInstanceOf(NoteNotSendableError);
      await desk.drain();
      expect(await prisma().message.count()).toBe(before);
      expect(customer.texts().some((t) => t.includes(text.trim().slice(-10)))).toBe(false);
    },
  );
});

describe('the other founder texts', () => {
  it('a reply is sent, and a redelivery of it is already sent', async () => {
    expect(await founderSays('We ship to Canada.', { platformMessageId: 'slack:C1:r1' })).toEqual({ kind: 'sent' });
    expect(await founderSays('We ship to Canada.', { platformMessageId: 'slack:C1:r1' })).toEqual({ kind: 'already_sent' });
    await desk.drain();
    expect(customer.texts()).toContain('We ship to Canada.');
    expect(customer.texts().filter((t) => t === 'We ship to Canada.')).toHaveLength(1);
  });

  it('the plain reading is what is sent', async () => {
    expect(await founderSays('Fish &amp; chips', { plainText: 'Fish & chips' })).toEqual({ kind: 'sent' });
    await desk.drain();
    expect(customer.texts()).toContain('Fish & chips');
  });

  it('text with files: the text goes, the files do not, and the console is told', async () => {
    expect(await founderSays('Here is the guide.', { attachments: [{ kind: 'document', name: 'guide.pdf' }] })).toEqual({ kind: 'sent_without_files' });
    await desk.drain();
    expect(customer.texts()).toContain('Here is the guide.');
    expect(consoleNotices.notices()).toContainEqual(expect.objectContaining({ type: 'attachments_not_relayed', names: ['guide.pdf'] }));
  });

  it('files alone: nothing goes out; nothing at all: nothing to send', async () => {
    const before = await customerOutbox();
    expect(await founderSays('', { attachments: [{ kind: 'photo' }] })).toEqual({ kind: 'files_not_relayed' });
    expect(await founderSays('   ')).toEqual({ kind: 'nothing_to_send' });
    expect(await customerOutbox()).toBe(before);
  });

  it('!resolve, !reopen, !save! title and an unknown command', async () => {
    expect(await founderSays('!resolve')).toEqual({ kind: 'resolved' });
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe('resolved');
    expect(await founderSays('!reopen')).toEqual({ kind: 'reopened' });
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe('escalated');
    expect(await founderSays('!frobnicate now')).toEqual({ kind: 'unknown_command', command: 'frobnicate' });
    await founderSays('Yes, in 5–7 days.');
    expect(await founderSays('!save! Shipping to Canada')).toEqual({ kind: 'saved', slug: 'shipping-to-canada', created: true, published: true });
    expect((await desk.kb.getBySlug('shipping-to-canada'))?.status).toBe('published');
  });

  it('the core saying no is a failed outcome with its reason', async () => {
    expect(await founderSays('!save')).toEqual({ kind: 'failed', reason: 'there is no founder reply in this conversation yet' });
    const missing = await handleFounderMessage(desk.core.founder, { conversationId: '00000000-0000-4000-8000-000000000000', text: 'hello', founder: 'console:me' });
    expect(missing).toEqual({ kind: 'failed', reason: 'no conversation 00000000-0000-4000-8000-000000000000' });
  });
});
