import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.ts';

// `solodesk kb gaps` on an embedded database holding escalations, as the real process runs it.

const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-gaps-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function solodesk(args: string[]) {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return spawnSync('node', ['bin/solodesk.js', ...args], {
    env: { ...base, SOLODESK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
}

const QUESTIONS: Array<[string, string]> = [
  ['kb_unsure', 'Can you send me a VAT invoice?'],
  ['no_suggestion_fit', 'How do I get an invoice with VAT for my company?'],
  ['kb_unsure', 'Where can I download my invoices?'],
  ['customer_rejected_answer', 'Is dark mode available?'],
  ['human_requested', 'Can I talk to a person about my invoice?'],
];

beforeAll(async () => {
  const db = await openDatabase({ url: undefined, dataDir });
  try {
    await db.migrate();
    for (const [i, [reason, question]] of QUESTIONS.entries()) {
      const customer = await db.prisma.customer.create({ data: { displayName: `Customer ${i}` } });
      const conversation = await db.prisma.conversation.create({
        data: { customerId: customer.id, channel: 'telegram', externalChatId: `${i}`, status: 'escalated' },
      });
      await db.prisma.message.create({
        data: { conversationId: conversation.id, direction: 'inbound', author: 'customer', channel: 'telegram', text: question },
      });
      await db.prisma.outbox.create({
        data: {
          channel: 'founder',
          chatKey: `founder:${conversation.id}`,
          target: { conversationId: conversation.id },
          payload: { type: 'escalation', conversationId: conversation.id, reason, question },
        },
      });
    }
  } finally {
    await db.close();
  }
}, 60_000);

describe('solodesk kb gaps', () => {
  it('prints the groups, biggest first, with their size and questions', () => {
    const run = solodesk(['kb', 'gaps']);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('Questions no article answered (last 30 days): 2 groups, 4 questions');
    expect(lines[1]).toBe('1. 3 questions');
    expect(lines.slice(2, 5).map((l) => l.replace(/^ {3}• /, '')).sort()).toEqual([
      'Can you send me a VAT invoice?',
      'How do I get an invoice with VAT for my company?',
      'Where can I download my invoices?',
    ]);
    expect(lines.slice(5)).toEqual(['2. 1 question', '   • Is dark mode available?']);
    // the customer who asked for a person is not a gap
    expect(run.stdout).not.toContain('talk to a person');
  }, 60_000);

  it('prints JSON with every question and its ids', () => {
    const run = solodesk(['kb', 'gaps', '--since', '7d', '--json']);
    const parsed = JSON.parse(run.stdout) as { groups: Array<{ size: number; questions: Array<{ messageId: string; reason: string }> }> };
    expect(parsed.groups.map((g) => g.size)).toEqual([3, 1]);
    expect(parsed.groups[1]?.questions[0]?.reason).toBe('customer_rejected_answer');
    expect(parsed.groups[0]?.questions.every((q) => /^[0-9a-f-]{36}$/.test(q.messageId))).toBe(true);
  }, 60_000);
});
