import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textUpdate } from '../../fixtures/telegram/updates.ts';
import { FOUNDER_ID, SECRET, startHarness, type Harness } from './harness.ts';
import { checkTelegramHtml } from './telegram-html.ts';

// `/stats` from a Telegram founder, against the fake Bot API: the core's report view as HTML.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('Telegram founders: /stats', () => {
  it('answers with the report of the last 7 days', async () => {
    await h.post(textUpdate({ updateId: 1, chatId: 4444, fromId: 4444, messageId: 1, text: 'I want to talk to a human', firstName: 'Ada' }));
    await h.desk.drain();
    await h.settle(() => (h.sentTo(FOUNDER_ID).length > 0 ? true : null), 'escalation notice');
    const before = h.sentTo(FOUNDER_ID).length;
    const response = await h.post(textUpdate({ updateId: 2, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId: 9000, text: '/stats' }));
    expect(response.status).toBe(200);
    const text = h.sentTo(FOUNDER_ID).slice(before).map((m) => m.text ?? '').join('\n');
    expect(checkTelegramHtml(text).problems).toEqual([]);
    expect(text).toMatch(/^📊 <b>Support report \d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} \(UTC\)<\/b>/);
    expect(text).toContain('Conversations: 1');
    expect(text).toContain('Escalated to the founder: 1 (100%)');
  });
});
