import type { PrismaClient } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessHours } from '../../../src/config/business-hours.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { phrases } from '../../../src/core/phrases.ts';
import { businessMs } from '../../../src/core/insight/report-business-time.ts';
import { buildReport, type Report } from '../../../src/core/insight/report.ts';
import { satisfactionScore } from '../../../src/core/insight/satisfaction-score.ts';
import { deskSnapshot } from '../../../src/core/insight/report-operations.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.ts';

// Seeded conversations with every figure worked out by hand (the comments give the sums).
// Window: Mon 2026-11-23 00:00 → Tue 2026-12-01 00:00 UTC; business hours Mon–Fri 09:00–18:00 UTC.

const at = (iso: string) => new Date(`${iso}Z`);
const SEC = 1000;
const MIN = 60 * SEC;
const hours = parseBusinessHours('Mon-Fri 09:00-18:00', 'UTC') as BusinessHours;
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('business time', () => {
  it('counts only open hours: Friday 17:50 to Monday 09:10 is 20 minutes', () => {
    expect(businessMs(hours, at('2026-11-27T17:50'), at('2026-11-30T09:10'))).toBe(20 * MIN);
    expect(businessMs(hours, at('2026-11-28T10:00'), at('2026-11-29T23:00'))).toBe(0);
    expect(businessMs(hours, at('2026-11-23T08:00'), at('2026-11-24T08:00'))).toBe(9 * 60 * MIN);
  });

  it('reads the hours in the business time zone, across a DST change', () => {
    const berlin = parseBusinessHours('Mon-Fri 09:00-18:00', 'Europe/Berlin') as BusinessHours;
    // Fri 2026-10-23 17:50 CEST (15:50Z) → Mon 2026-10-26 09:10 CET (08:10Z): clocks went back on Sunday.
    expect(businessMs(berlin, at('2026-10-23T15:50'), at('2026-10-26T08:10'))).toBe(20 * MIN);
  });
});

describe('satisfaction score', () => {
  it('is the recency-weighted mean with a 30-day half-life by default', () => {
    const now = at('2026-12-01T00:00');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    // (5·1 + 1·0.5) / 1.5
    expect(satisfactionScore([{ score: 5, at: now }, { score: 1, at: daysAgo(30) }], { now }).score).toBeCloseTo(11 / 3, 10);
    // (4·1 + 2·0.5 + 1·0.25) / 1.75 = 3
    const three = satisfactionScore([{ score: 4, at: now }, { score: 2, at: daysAgo(30) }, { score: 1, at: daysAgo(60) }], { now });
    expect(three).toEqual({ score: 3, ratings: 3, halfLifeDays: 30 });
    // With a 60-day half-life the old rating weighs more: (5 + 1·2^-0.5) / (1 + 2^-0.5) = 3.3431…
    expect(satisfactionScore([{ score: 5, at: now }, { score: 1, at: daysAgo(30) }], { now, halfLifeDays: 60 }).score).toBeCloseTo(3.343146, 5);
    expect(satisfactionScore([], { now })).toEqual({ score: null, ratings: 0, halfLifeDays: 30 });
  });
});

describe('configuration', () => {
  it('reads CSAT_HALF_LIFE_DAYS and DIGEST_SCHEDULE (in BUSINESS_TIMEZONE), naming a bad one', () => {
    expect(loadConfig({}).insight).toEqual({ csatHalfLifeDays: undefined, digest: { day: 1, minute: 540, timeZone: 'UTC' } });
    const set = loadConfig({ CSAT_HALF_LIFE_DAYS: '14', DIGEST_SCHEDULE: 'Friday 17:30', BUSINESS_HOURS: 'Mon-Fri 09:00-18:00', BUSINESS_TIMEZONE: 'Asia/Shanghai' });
    expect(set.insight).toEqual({ csatHalfLifeDays: 14, digest: { day: 5, minute: 17 * 60 + 30, timeZone: 'Asia/Shanghai' } });
    expect(loadConfig({ DIGEST_SCHEDULE: 'off' }).insight.digest).toBeNull();
    expect(() => loadConfig({ DIGEST_SCHEDULE: 'someday 25:00' })).toThrow(/DIGEST_SCHEDULE/);
    expect(() => loadConfig({ CSAT_HALF_LIFE_DAYS: '0' })).toThrow(/CSAT_HALF_LIFE_DAYS/);
  });
});

describe('report on seeded data', () => {
  let database: TestDatabase;
  let report: Report;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seed(database.db.prisma);
    report = await buildReport(database.db.prisma, { since: at('2026-11-23T00:00'), until: at('2026-12-01T00:00'), businessHours: hours, halfLifeDays: 2 });
  });
  afterAll(() => database.dispose());

  it('counts conversations, the bot answering alone, lists offered and picked, escalations', () => {
    expect(report.conversations).toBe(7); // c1–c6 and c8; c7 opened before the window
    expect(report.answeredByBot).toEqual({ count: 3, share: 3 / 7 }); // c1 (a note is no reply), c2, c6
    expect(report.suggested).toEqual({ count: 3, share: 3 / 7 }); // c2, c3, c8
    expect(report.picked).toEqual({ count: 1, share: 1 / 3 }); // c2 pressed 2; c3 replied 0; c8 left it
    expect(report.escalated).toEqual({ count: 3, share: 3 / 7 }); // c3, c4, c5 (answered, then 👎)
  });

  it('measures response times, wall-clock and within business hours', () => {
    // First response (s): c5 10, c6 20, c1 30, c2 60, c3 1920, c4 63h20m = 228000; nearest rank of 6: 3rd and 6th.
    // In business time: c5 0 (Sat), c6 0 (Sun), c1 30, c2 60, c4 1200 (Fri 17:50 → Mon 09:10), c3 1920.
    expect(report.firstResponse).toEqual({ count: 6, medianMs: 30 * SEC, p90Ms: 228_000 * SEC, business: { medianMs: 30 * SEC, p90Ms: 1920 * SEC } });
    // Founder response (s): c3 1800, c5 172800 (Sat 10:05 → Mon 10:05), c4 228000; business: c4 1200, c3 1800, c5 3900.
    expect(report.founderResponse).toEqual({ count: 3, medianMs: 172_800 * SEC, p90Ms: 228_000 * SEC, business: { medianMs: 1800 * SEC, p90Ms: 3900 * SEC } });
    // Resolution: c3 3600 s; c4 63h40m = 229200 s (business 10 + 30 min = 2400 s).
    expect(report.resolution).toEqual({ count: 2, medianMs: 3600 * SEC, p90Ms: 229_200 * SEC, business: { medianMs: 2400 * SEC, p90Ms: 3600 * SEC } });
  });

  it('weighs satisfaction by recency, with the number of ratings behind it', () => {
    // Half-life 2 days as of Dec 1: 5 two days old (w 0.5), 2 one day old (w 2^-0.5), 4 six days old (w 0.125);
    // (2.5 + 1.414214 + 0.5) / 1.332107 = 3.313708. The rating of Nov 10 is outside the window.
    expect(report.satisfaction.ratings).toBe(3);
    expect(report.satisfaction.halfLifeDays).toBe(2);
    expect(report.satisfaction.score).toBeCloseTo(3.313708, 5);
    expect(report.answerRatings).toEqual({ up: 2, down: 1 });
  });

  it('ranks the articles used and the articles rated down', () => {
    // A: c1 and c6 (c7's use is before the window); B: c2; C: c5.
    expect(report.topArticles.map((a) => [a.slug, a.count])).toEqual([['refunds', 2], ['shipping', 1], ['password', 1]]);
    expect(report.articlesRatedDown).toEqual([{ articleId: C, slug: 'password', title: 'Reset your password', count: 1, up: 0 }]);
  });

  it('breaks conversations down by channel and by language', () => {
    expect(report.byChannel).toEqual([
      { key: 'telegram', conversations: 4, answeredByBot: 1, escalated: 2 },
      { key: 'slack', conversations: 2, answeredByBot: 2, escalated: 0 },
      { key: 'wechat', conversations: 1, answeredByBot: 0, escalated: 1 },
    ]);
    expect(report.byLanguage).toEqual([
      { key: 'en', conversations: 6, answeredByBot: 3, escalated: 2 },
      { key: 'zh', conversations: 1, answeredByBot: 0, escalated: 1 },
    ]);
  });

  it('gives one row per day for the chart', () => {
    expect(report.days.map((d) => [d.date, d.conversations, d.answeredByBot, d.escalated, d.satisfaction])).toEqual([
      ['2026-11-23', 1, 1, 0, null],
      ['2026-11-24', 1, 1, 0, null],
      ['2026-11-25', 1, 0, 1, 4],
      ['2026-11-26', 0, 0, 0, null],
      ['2026-11-27', 1, 0, 1, null],
      ['2026-11-28', 1, 0, 1, null],
      ['2026-11-29', 1, 1, 0, 5],
      ['2026-11-30', 1, 0, 0, 2],
    ]);
  });

  it('gives /metrics the outbox backlog and the CSAT count, read at scrape', async () => {
    const prisma = database.db.prisma;
    await prisma.outbox.createMany({
      data: [
        { channel: 'telegram', chatKey: 'telegram:1', target: {}, payload: {}, createdAt: at('2026-12-01T11:00') },
        { channel: 'telegram', chatKey: 'telegram:2', target: {}, payload: {}, createdAt: at('2026-12-01T11:58') },
        { channel: 'slack', chatKey: 'slack:1', target: {}, payload: {}, status: 'sent', createdAt: at('2026-12-01T10:00') },
      ],
    });
    const metrics = createMetrics();
    metrics.watchDesk(() => deskSnapshot(prisma, at('2026-12-01T12:00')));
    const text = await metrics.registry.metrics();
    expect(text).toContain('solodesk_outbox_depth{channel="telegram"} 2');
    expect(text).toContain('solodesk_outbox_oldest_age_seconds{channel="telegram"} 3600');
    expect(text).not.toContain('solodesk_outbox_depth{channel="slack"}');
    expect(text).toMatch(/^solodesk_csat_ratings 4$/m); // c1, c3 (two), c4
    await prisma.outbox.deleteMany({});
  });

  it('is empty but well-formed for a period with nothing in it', async () => {
    const empty = await buildReport(database.db.prisma, { since: at('2026-01-01T00:00'), until: at('2026-01-02T00:00') });
    expect(empty.conversations).toBe(0);
    expect(empty.answeredByBot).toEqual({ count: 0, share: null });
    expect(empty.firstResponse).toEqual({ count: 0, medianMs: null, p90Ms: null });
    expect(empty.satisfaction.score).toBeNull();
    expect(empty.days).toHaveLength(1);
  });
});

interface SeedMessage {
  author: 'customer' | 'bot' | 'founder' | 'system';
  kind?: 'text' | 'action' | 'note';
  text: string;
  articleId?: string;
  raw?: object;
  at: string;
}

async function seed(prisma: PrismaClient): Promise<void> {
  await prisma.article.createMany({
    data: [
      { id: A, slug: 'refunds', title: 'Refunds', status: 'published' },
      { id: B, slug: 'shipping', title: 'Shipping times', status: 'published' },
      { id: C, slug: 'password', title: 'Reset your password', status: 'published' },
    ],
  });
  let n = 0;
  const conversation = async (input: { channel: string; escalatedAt?: string; firstResponseAt?: string; resolvedAt?: string; messages: SeedMessage[] }) => {
    const customer = await prisma.customer.create({ data: { displayName: `customer ${++n}` } });
    const created = await prisma.conversation.create({
      data: {
        customerId: customer.id,
        channel: input.channel,
        externalChatId: `chat-${n}`,
        status: input.resolvedAt ? 'resolved' : input.escalatedAt ? 'escalated' : 'answered',
        createdAt: at(input.messages[0]!.at),
        escalatedAt: input.escalatedAt ? at(input.escalatedAt) : null,
        firstResponseAt: input.firstResponseAt ? at(input.firstResponseAt) : null,
        resolvedAt: input.resolvedAt ? at(input.resolvedAt) : null,
      },
    });
    const ids: string[] = [];
    for (const m of input.messages) {
      const row = await prisma.message.create({
        data: {
          conversationId: created.id,
          direction: m.author === 'customer' ? 'inbound' : 'outbound',
          author: m.author,
          kind: m.kind ?? 'text',
          text: m.text,
          channel: input.channel,
          articleId: m.articleId ?? null,
          ...(m.raw ? { raw: m.raw } : {}),
          createdAt: at(m.at),
        },
      });
      ids.push(row.id);
    }
    return { id: created.id, messageIds: ids };
  };
  const feedback = (conversationId: string, kind: 'answer' | 'csat', score: number, createdAt: string, articleId?: string) =>
    prisma.feedback.create({ data: { conversationId, kind, score, createdAt: at(createdAt), articleId: articleId ?? null } });
  const list = (language: 'en' | 'zh') => `${phrases(language).suggestIntro}\n1. Refunds\n2. Shipping times\n0. ${phrases(language).noneOfThese}`;

  const c1 = await conversation({
    channel: 'telegram',
    firstResponseAt: '2026-11-23T10:00:30',
    messages: [
      { author: 'customer', text: 'How do I get a refund?', at: '2026-11-23T10:00:00' },
      { author: 'bot', text: 'Refunds …', articleId: A, at: '2026-11-23T10:00:30' },
      { author: 'founder', kind: 'note', text: 'check this one later', at: '2026-11-23T11:00:00' },
    ],
  });
  await feedback(c1.id, 'answer', 5, '2026-11-23T10:01:00', A);
  await feedback(c1.id, 'csat', 4, '2026-11-25T00:00:00');
  const c2 = await conversation({
    channel: 'slack',
    firstResponseAt: '2026-11-24T11:01:00',
    messages: [
      { author: 'customer', text: 'where is my parcel', at: '2026-11-24T11:00:00' },
      { author: 'bot', text: list('en'), at: '2026-11-24T11:00:05' },
      { author: 'customer', kind: 'action', text: '[pressed: suggestion 2]', raw: { action: 'pick:0123456789:2' }, at: '2026-11-24T11:01:00' },
      { author: 'bot', text: 'Shipping …', articleId: B, at: '2026-11-24T11:01:00' },
    ],
  });
  await feedback(c2.id, 'answer', 5, '2026-11-24T11:02:00', B);
  const c3 = await conversation({
    channel: 'telegram',
    escalatedAt: '2026-11-25T12:02:00',
    firstResponseAt: '2026-11-25T12:32:00',
    resolvedAt: '2026-11-25T13:00:00',
    messages: [
      { author: 'customer', text: '怎么修改密码', at: '2026-11-25T12:00:00' },
      { author: 'bot', text: list('zh'), at: '2026-11-25T12:00:05' },
      { author: 'customer', text: '0', at: '2026-11-25T12:02:00' },
      { author: 'system', text: '谢谢，您的消息已转给创始人', at: '2026-11-25T12:02:00' },
      { author: 'founder', text: '在设置里修改', at: '2026-11-25T12:32:00' },
    ],
  });
  await feedback(c3.id, 'csat', 5, '2026-11-29T00:00:00');
  await feedback(c3.id, 'csat', 1, '2026-11-10T00:00:00');
  const c4 = await conversation({
    channel: 'wechat',
    escalatedAt: '2026-11-27T17:50:00',
    firstResponseAt: '2026-11-30T09:10:00',
    resolvedAt: '2026-11-30T09:30:00',
    messages: [
      { author: 'customer', text: 'Can I pay by invoice?', at: '2026-11-27T17:50:00' },
      { author: 'founder', text: 'Yes, write to billing.', at: '2026-11-30T09:10:00' },
    ],
  });
  await feedback(c4.id, 'csat', 2, '2026-11-30T00:00:00');
  const c5 = await conversation({
    channel: 'telegram',
    escalatedAt: '2026-11-28T10:05:00',
    firstResponseAt: '2026-11-28T10:00:10',
    messages: [
      { author: 'customer', text: 'I forgot my password', at: '2026-11-28T10:00:00' },
      { author: 'bot', text: 'Reset …', articleId: C, at: '2026-11-28T10:00:10' },
      { author: 'customer', kind: 'action', text: '[pressed 👎]', at: '2026-11-28T10:05:00' },
      { author: 'founder', text: 'I reset it for you.', at: '2026-11-30T10:05:00' },
    ],
  });
  await feedback(c5.id, 'answer', 1, '2026-11-28T10:05:00', C);
  await conversation({
    channel: 'slack',
    firstResponseAt: '2026-11-29T15:00:20',
    messages: [
      { author: 'customer', text: 'refund please', at: '2026-11-29T15:00:00' },
      { author: 'bot', text: 'Refunds …', articleId: A, at: '2026-11-29T15:00:20' },
    ],
  });
  await conversation({
    channel: 'telegram',
    firstResponseAt: '2026-11-20T09:00:10',
    messages: [
      { author: 'customer', text: 'refund?', at: '2026-11-20T09:00:00' },
      { author: 'bot', text: 'Refunds …', articleId: A, at: '2026-11-20T09:00:10' },
    ],
  });
  await conversation({
    channel: 'telegram',
    messages: [
      { author: 'customer', text: 'something about shipping and refunds', at: '2026-11-30T20:00:00' },
      { author: 'bot', text: list('en'), at: '2026-11-30T20:00:05' },
    ],
  });
}
