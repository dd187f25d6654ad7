import type { Prisma } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kbCommand } from '../../../src/adapters/telegram/founder.ts';
import { PLAIN_MARKUP } from '../../../src/core/founder/help.ts';
import { gapsLines, runKbCommand } from '../../../src/core/founder/kb-commands.ts';
import { findGapQuestions, readKbGaps } from '../../../src/core/insight/kb-gaps.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// Questions reach the gap list the way they do in production: customers write, the pipeline
// escalates (or answers), the founder console gets its notices. Only what the pipeline cannot be
// made to do on demand here (a 👎 after an answer, a notice from long ago) is written directly.

let desk: TestDesk;
let seq = 0;
const longAgo = new Date('2020-01-01T00:00:00Z');
const since = () => new Date(Date.now() - 30 * 24 * 3600_000);

async function say(text: string, user: string) {
  return desk.decided(
    await desk.core.handleInbound({
      channel: 'test',
      externalUserId: user,
      externalChatId: `chat-${user}`,
      platformMessageId: `m${++seq}`,
      text,
      sender: { displayName: user },
    }),
  );
}

/** An escalation notice as escalateToFounder writes it, for what the pipeline cannot do here on demand. */
async function notice(conversationId: string, reason: string, question: string) {
  await desk.database.db.prisma.outbox.create({
    data: {
      channel: 'founder',
      chatKey: `founder:${conversationId}`,
      target: { conversationId },
      status: 'sent',
      payload: { type: 'escalation', conversationId, reason, question } as Prisma.InputJsonValue,
    },
  });
}

const texts = (questions: Array<{ text: string }>) => questions.map((q) => q.text).sort();

beforeAll(async () => {
  desk = await createTestDesk({ senders: [new RecordingSender('test'), new RecordingSender('founder')] });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
  const prisma = desk.database.db.prisma;

  // escalated because no article fits: gaps
  expect((await say('Is there a dark mode?', 'ada')).outcome).toBe('escalate');
  expect((await say('Can I switch the app to a dark theme?', 'bob')).outcome).toBe('escalate');
  expect((await say('Do you have an office in Berlin?', 'cy')).outcome).toBe('escalate');
  // asked for a person: not a gap, whatever the KB holds
  expect((await say('I want to talk to a human', 'dee')).outcome).toBe('escalate');
  // answered by the KB: not a gap
  expect((await say('How do I reset my password?', 'eve')).outcome).toBe('answer');
  // none of the suggestions fitted: a gap, the question being the one the suggestions were for
  expect((await say('How can I reset my password?', 'hal')).outcome).toBe('suggest');
  expect((await say('0', 'hal')).outcome).toBe('escalate');
  // and then a 👎 on an answer to the same message: still one gap
  const hal = await prisma.conversation.findFirstOrThrow({ where: { externalChatId: 'chat-hal' } });
  await notice(hal.id, 'customer_rejected_answer', 'How can I reset my password?');

  // a private note in a gap's conversation is never a question, even with a notice naming its text
  const ada = await prisma.conversation.findFirstOrThrow({ where: { externalChatId: 'chat-ada' } });
  await desk.core.founder.note({ conversationId: ada.id, text: 'note: dark mode is on the roadmap', founder: 'slack:U1' });
  await notice(ada.id, 'kb_unsure', 'note: dark mode is on the roadmap');

  // a forgotten customer's question is gone from the gaps
  expect((await say('Do you ship to Antarctica?', 'fay')).outcome).toBe('escalate');
  const fay = await prisma.conversation.findFirstOrThrow({ where: { externalChatId: 'chat-fay' } });
  await prisma.customer.update({ where: { id: fay.customerId }, data: { forgottenAt: new Date() } });

  // asked long ago: outside the window
  expect((await say('Can I pay with bitcoin?', 'gus')).outcome).toBe('escalate');
  const gus = await prisma.conversation.findFirstOrThrow({ where: { externalChatId: 'chat-gus' } });
  await prisma.message.updateMany({ where: { conversationId: gus.id }, data: { createdAt: longAgo } });
  await prisma.outbox.updateMany({ where: { chatKey: `founder:${gus.id}` }, data: { createdAt: longAgo } });
}, 60_000);

afterAll(async () => {
  await desk?.dispose();
});

describe('KB gaps from the database', () => {
  it('picks the questions escalated because no article fitted, once each, and nothing else', async () => {
    const found = await findGapQuestions(desk.database.db.prisma, since());
    expect(texts(found)).toEqual([
      'Can I switch the app to a dark theme?',
      'Do you have an office in Berlin?',
      'How can I reset my password?',
      'Is there a dark mode?',
    ]);
    expect(found.find((q) => q.text === 'How can I reset my password?')?.reason).toBe('no_suggestion_fit');
    expect(found.find((q) => q.text === 'Is there a dark mode?')?.reason).toBe('kb_unsure');
    const messages = await desk.database.db.prisma.message.findMany({ where: { id: { in: found.map((q) => q.messageId) } } });
    expect(messages.every((m) => m.author === 'customer' && m.kind === 'text')).toBe(true);
  });

  it('looks back as far as asked', async () => {
    const found = await findGapQuestions(desk.database.db.prisma, new Date(longAgo.getTime() - 1000));
    expect(texts(found)).toContain('Can I pay with bitcoin?');
  });

  it('groups them by meaning, biggest group first, through the founder actions every console uses', async () => {
    const groups = await desk.core.founder.kbGaps();
    expect(groups.map((g) => g.size)).toEqual([2, 1, 1]);
    expect([...(groups[0]?.examples ?? [])].sort()).toEqual(['Can I switch the app to a dark theme?', 'Is there a dark mode?']);
    const ids = groups[0]?.questions.map((q) => q.messageId) ?? [];
    expect((await desk.core.founder.gapQuestions(ids)).sort()).toEqual(['Can I switch the app to a dark theme?', 'Is there a dark mode?']);
    // ids that are no customer question give nothing back
    const note = await desk.database.db.prisma.message.findFirstOrThrow({ where: { kind: 'note' } });
    expect(await desk.core.founder.gapQuestions([note.id, 'not-an-id'])).toEqual([]);
  });

  it('/kb gaps is the same command in every console: text for the terminal and Telegram', async () => {
    const result = await runKbCommand(desk.kb, 'gaps', '', desk.core.founder);
    expect(result.kind).toBe('gaps');
    if (result.kind !== 'gaps') return;
    const lines = gapsLines(PLAIN_MARKUP, result.days, result.groups);
    expect(lines[0]).toBe('Questions no article answered (last 30 days): 3 groups, 4 questions');
    expect(lines[1]).toBe('1. 2 questions');
    expect(lines.slice(2, 4).sort()).toEqual(['   • Can I switch the app to a dark theme?', '   • Is there a dark mode?']);
    // without the founder's actions a console has no gaps to show: its help instead
    expect((await runKbCommand(desk.kb, 'gaps', '')).kind).toBe('help');

    const telegram = (await kbCommand(desk.kb, 'gaps', desk.core.founder)).map((c) => c.text).join('\n');
    expect(telegram).toContain('1. 2 questions');
    expect(telegram).toContain('• Do you have an office in Berlin?');
  });

  it('drops a question once an article has it as an example question', async () => {
    const article = await desk.kb.create({ title: 'Offices', body: 'We work remotely.', questions: ['do you have an office in berlin?'] }, 'test');
    try {
      const groups = await readKbGaps(desk.database.db.prisma, since());
      expect(groups.flatMap((g) => g.examples)).not.toContain('Do you have an office in Berlin?');
      expect(groups.map((g) => g.size)).toEqual([2, 1]);
    } finally {
      await desk.kb.archive(article.slug, 'test');
    }
  });
});
