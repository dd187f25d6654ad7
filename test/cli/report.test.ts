import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sinceOf } from '../../src/cli/since.ts';
import { openDatabase } from '../../src/db/open-database.ts';

// `solodesk report` as a founder runs it: a real process on an embedded database holding two
// conversations of the last days (one the bot answered, one escalated) and one of last month.

const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-report-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function solodesk(args: string[]) {
  const { DATABASE_URL: _ignored, ...base } = process.env;
  return spawnSync('node', ['bin/solodesk.js', ...args], {
    env: { ...base, SOLODESK_DATA_DIR: dataDir, LOG_LEVEL: 'silent', BUSINESS_HOURS: 'Mon-Fri 09:00-18:00' },
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  const db = await openDatabase({ dataDir });
  try {
    await db.migrate();
    const { prisma } = db;
    const now = Date.now();
    const hoursAgo = (h: number) => new Date(now - h * 3_600_000);
    const article = await prisma.article.create({ data: { slug: 'refunds', title: 'Refunds', status: 'published' } });
    const customer = await prisma.customer.create({ data: { displayName: 'Ada' } });
    const open = (channel: string, createdAt: Date, extra: object = {}) =>
      prisma.conversation.create({ data: { customerId: customer.id, channel, externalChatId: channel, createdAt, ...extra } });
    const answered = await open('telegram', hoursAgo(30), { firstResponseAt: new Date(hoursAgo(30).getTime() + 5000) });
    await prisma.message.createMany({
      data: [
        { conversationId: answered.id, direction: 'inbound', author: 'customer', text: 'refund?', channel: 'telegram', createdAt: hoursAgo(30) },
        { conversationId: answered.id, direction: 'outbound', author: 'bot', text: 'Refunds …', articleId: article.id, channel: 'telegram', createdAt: new Date(hoursAgo(30).getTime() + 5000) },
      ],
    });
    await prisma.feedback.create({ data: { conversationId: answered.id, kind: 'csat', score: 4, createdAt: hoursAgo(29) } });
    const escalated = await open('slack', hoursAgo(20), { escalatedAt: hoursAgo(20), status: 'escalated' });
    await prisma.message.create({ data: { conversationId: escalated.id, direction: 'inbound', author: 'customer', text: '我要退款', channel: 'slack', createdAt: hoursAgo(20) } });
    await open('telegram', hoursAgo(24 * 30));
  } finally {
    await db.close();
  }
}, 60_000);

describe('solodesk report', () => {
  it('prints the last 7 days as JSON with --json', () => {
    const run = solodesk(['report', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.conversations).toBe(2);
    expect(report.answeredByBot).toEqual({ count: 1, share: 0.5 });
    expect(report.escalated).toEqual({ count: 1, share: 0.5 });
    expect(report.firstResponse).toMatchObject({ count: 1, medianMs: 5000 });
    expect(report.satisfaction).toEqual({ score: 4, ratings: 1, halfLifeDays: 30 });
    expect(report.byLanguage.map((r: { key: string }) => r.key).sort()).toEqual(['en', 'zh']);
    expect(report.topArticles).toEqual([expect.objectContaining({ slug: 'refunds', count: 1 })]);
  });

  it('prints a readable report, and takes a longer period with --since', () => {
    const text = solodesk(['report']).stdout;
    expect(text).toMatch(/^Support report \d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} \(UTC\)/);
    expect(text).toContain('Conversations: 2');
    expect(text).toContain('Answered by the bot alone: 1 (50%)');
    expect(text).toContain('First response: median 5 s, 90th percentile 5 s');
    expect(text).toContain('Satisfaction: 4.00 / 5 from 1 rating');
    expect(text).toContain('Refunds (refunds): 1 answer');
    expect(JSON.parse(solodesk(['report', '--since', '60d', '--json']).stdout).conversations).toBe(3);
  });

  it('refuses a period it cannot read, in one line', () => {
    const run = solodesk(['report', '--since', 'last tuesday']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('solodesk: --since must be like 7d, 12h, 2w or a past date (got "last tuesday")');
    expect(sinceOf('2w', new Date('2026-12-01T00:00:00Z')).toISOString()).toBe('2026-11-17T00:00:00.000Z');
  });
});
