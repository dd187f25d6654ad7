import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.ts';

// `solodesk customer export|forget` as a real process on an embedded database seeded here.

const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-customer-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const MARKER = 'GIRAFFE-9K 长颈鹿';
let customerId = '';

function solodesk(args: string[], input = '') {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return spawnSync('node', ['bin/solodesk.js', ...args], {
    env: { ...base, SOLODESK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    input,
  });
}

beforeAll(async () => {
  const db = await openDatabase({ dataDir });
  try {
    await db.migrate();
    const customer = await db.prisma.customer.create({
      data: {
        displayName: `Gigi ${MARKER}`,
        identities: { create: { channel: 'telegram', externalUserId: '4242', displayName: `Gigi ${MARKER}` } },
        conversations: {
          create: {
            channel: 'telegram',
            externalChatId: '4242',
            status: 'resolved',
            messages: {
              create: [
                { direction: 'inbound', author: 'customer', text: `where is my order ${MARKER}`, channel: 'telegram', platformMessageId: '1' },
                { direction: 'outbound', author: 'founder', text: `"${MARKER}": it ships today`, channel: 'telegram' },
              ],
            },
            feedback: { create: { kind: 'csat', score: 4, comment: `fast ${MARKER}` } },
          },
        },
      },
    });
    customerId = customer.id;
  } finally {
    await db.close();
  }
}, 60_000);

describe('solodesk customer', () => {
  it('export prints everything stored about the customer as JSON', () => {
    const run = solodesk(['customer', 'export', customerId]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const exported = JSON.parse(run.stdout);
    expect(exported.customer).toMatchObject({ id: customerId, displayName: `Gigi ${MARKER}`, forgottenAt: null });
    expect(exported.identities).toEqual([expect.objectContaining({ channel: 'telegram', externalUserId: '4242' })]);
    expect(exported.conversations[0].messages.map((m: { text: string }) => m.text)).toEqual([`where is my order ${MARKER}`, `"${MARKER}": it ships today`]);
    expect(exported.conversations[0].feedback[0]).toMatchObject({ kind: 'csat', score: 4, comment: `fast ${MARKER}` });
  });

  it('forget asks first, and erases nothing without a yes', () => {
    const run = solodesk(['customer', 'forget', customerId], 'no\n');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`Erase the texts and identities of customer ${customerId}: 1 identity(ies), 1 conversation(s), 2 message(s)?`);
    expect(run.stdout.trim()).toBe('nothing was erased');
  });

  it('forget with a typed yes erases the texts and identities, and says what it did', async () => {
    const run = solodesk(['customer', 'forget', customerId], 'yes\n');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`forgot 1 customer(s): ${customerId}`);
    expect(run.stdout).toMatch(/erased: 2 message text\(s\) in 1 conversation\(s\), 1 identity\(ies\), the comments of 1 rating\(s\)/);
    expect(run.stdout).toContain('a new message from this person starts a new customer');

    // Read back in this process: one more spawned command costs far more than opening the folder.
    const db = await openDatabase({ dataDir });
    try {
      const customer = await db.prisma.customer.findUniqueOrThrow({ where: { id: customerId }, include: { identities: true } });
      expect(customer).toMatchObject({ displayName: null, forgottenAt: expect.any(Date), identities: [] });
      const messages = await db.prisma.message.findMany({ orderBy: { createdAt: 'asc' } });
      expect(messages.map((m) => [m.author, m.text])).toEqual([['customer', '[已删除]'], ['founder', '[已删除]']]);
      expect((await db.prisma.feedback.findFirstOrThrow()).comment).toBeNull();
      expect((await db.prisma.auditLog.findMany()).map((r) => [r.action, r.actor])).toEqual([['customer.forget', 'cli:forget']]);
    } finally {
      await db.close();
    }
  });
});
