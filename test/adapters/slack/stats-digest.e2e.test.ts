import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_REFUSAL } from '../../../src/adapters/slack/stats-command.ts';
import { localParts } from '../../../src/core/business-hours.ts';
import { DigestLoop, lastScheduledAt } from '../../../src/core/insight/digest.ts';
import { systemClock } from '../../../src/observability/clock.ts';
import { silentLogger } from '../../support/silent-logger.ts';
import { FOUNDER, FOUNDER_CHANNEL, startSlackHarness, type SlackHarness } from './harness.ts';

// `/stats` and the weekly digest through the real Slack adapter against the fake Slack Web API:
// the report answered ephemerally, the digest posted with its chart uploaded as a PNG, once.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
  await h.desk.kb.create({ title: 'Shipping to Canada', body: 'We ship to Canada in 5 days.', questions: ['Do you ship to Canada?'], status: 'published' }, 'test');
  await h.customerDm('Do you ship to Canada?');
  await h.customerDm('Can I speak to a person about my invoice please?', { user: 'UOTHER', channel: 'DOTHER' });
  await h.drain();
});
afterAll(() => h.close());

describe('/stats', () => {
  it('answers a founder ephemerally with the report of the last 7 days', async () => {
    const res = await h.command({ command: '/stats', text: '', userId: FOUNDER });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    const text = res.json.text ?? '';
    expect(text).toMatch(/^\*Support report \d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} \(UTC\)\*/);
    expect(text).toContain('Conversations: 2');
    expect(text).toContain('Answered by the bot alone: 1 (50%)');
    expect(text).toContain('Escalated to the founder: 1 (50%)');
    expect(text).toContain('• Shipping to Canada (shipping-to-canada): 1 answer');
  });

  it('refuses anyone else', async () => {
    const res = await h.command({ command: '/stats', text: '', userId: 'USTRANGER' });
    expect(res.json).toEqual({ response_type: 'ephemeral', text: STATS_REFUSAL });
  });
});

describe('weekly digest', () => {
  it('posts the report and a PNG chart in its thread, and never twice', async () => {
    // Two minutes on (the clock is moved, nothing waits): the digest scheduled for then is due,
    // and covers the conversations above.
    const clock = { ...systemClock, now: () => Date.now() + 120_000 };
    const now = new Date(clock.now());
    const { day, minute } = localParts(now, 'UTC');
    const schedule = { day, minute, timeZone: 'UTC' };
    const loop = () =>
      new DigestLoop({ prisma: h.desk.database.db.prisma, settings: h.desk.core.settings, clock, schedule, logger: silentLogger() });
    expect(await loop().runOnce()).toBe(1);
    // The same process again, and another process (a second loop on the same database): nothing.
    expect(await loop().runOnce()).toBe(0);
    expect(await loop().runOnce()).toBe(0);
    await h.drain();
    await h.drain();

    const digests = h.roots().filter((m) => m.text?.startsWith('*Support report'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain('Conversations: 2');
    const completed = h.fake.callsOf('files.completeUploadExternal');
    expect(completed).toHaveLength(1);
    const [upload] = [...h.fake.uploads.values()];
    expect(upload).toMatchObject({ channel: FOUNDER_CHANNEL, threadTs: digests[0]!.ts });
    expect(upload!.filename).toMatch(/^solodesk-digest-\d{4}-\d{2}-\d{2}\.png$/);
    expect(upload!.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(upload!.bytes.length).toBeGreaterThan(5_000);

    const audit = await h.desk.database.db.prisma.auditLog.findMany({ where: { action: 'digest.sent' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.entityId).toBe(lastScheduledAt(schedule, now).toISOString());
    expect(audit[0]!.details).toMatchObject({ conversations: 2 });
  });

  it('is due at the latest scheduled time, read in the schedule\'s time zone', () => {
    // Wednesday 2026-12-02 10:30 UTC = 11:30 in Berlin; "Mon 09:00" Berlin = Monday 08:00 UTC.
    expect(lastScheduledAt({ day: 1, minute: 9 * 60, timeZone: 'Europe/Berlin' }, new Date('2026-12-02T10:30:15Z')).toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(lastScheduledAt({ day: 3, minute: 10 * 60 + 30, timeZone: 'UTC' }, new Date('2026-12-02T10:30:15Z')).toISOString()).toBe('2026-12-02T10:30:00.000Z');
  });
});
