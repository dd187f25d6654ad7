import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textUpdate } from '../../fixtures/telegram/updates.ts';
import { FOUNDER_ID, SECRET, startHarness, type Harness } from './harness.ts';
import { checkTelegramHtml } from './telegram-html.ts';

// Telegram as the founder console, against the fake Bot API: `!tag` and `!note` in a reply to an
// escalation act on the customer, and `/customer` shows the profile in the founder's private chat.

const CUSTOMER = 5555555;
let h: Harness;
let update = 1;
let founderMessage = 9000;

beforeAll(async () => {
  h = await startHarness({ webhookSecret: SECRET, founderIds: [FOUNDER_ID] });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** What the bot answered the founder's message (the messages sent to the founder since). */
async function founderTypes(text: string, replyTo?: { message_id: number; text?: string }): Promise<string> {
  const count = h.sentTo(FOUNDER_ID).length;
  const reply = replyTo === undefined
    ? {}
    : { replyTo: { messageId: replyTo.message_id, text: checkTelegramHtml(replyTo.text ?? '').visible, isBot: true, fromId: h.fake.botInfo.id } };
  const response = await h.post(textUpdate({ updateId: update++, chatId: FOUNDER_ID, fromId: FOUNDER_ID, messageId: founderMessage++, text, ...reply }));
  expect(response.status).toBe(200);
  return h.sentTo(FOUNDER_ID).slice(count).map((m) => m.text ?? '').join('\n');
}

describe('Telegram founders: the customer commands and /customer', () => {
  it('tags and notes the customer from a reply to the escalation, then shows the profile', async () => {
    await h.post(textUpdate({ updateId: update++, chatId: CUSTOMER, fromId: CUSTOMER, messageId: 1, text: 'I want to talk to a human', firstName: 'Grace' }));
    await h.desk.drain();
    const [notice] = await h.settle(() => (h.sentTo(FOUNDER_ID).length > 0 ? h.sentTo(FOUNDER_ID) : null), 'escalation notice');

    expect(await founderTypes('!tag VIP', notice)).toMatch(/^👤 Tags of Grace: vip\.$/);
    expect(await founderTypes('!note likes tea', notice)).toMatch(/^👤 Note kept on Grace \(private, never sent to the customer\)\.$/);

    const profile = await founderTypes('/customer grace');
    expect(checkTelegramHtml(profile).problems).toEqual([]);
    expect(profile).toMatch(/^👤 <b>Grace \([0-9a-f-]{36}\)<\/b>\n\n<b>Identities<\/b>\nTelegram Grace \(5555555\)\n/);
    expect(profile).toContain('<b>Tags</b>\nvip');
    expect(profile).toMatch(/<b>Notes<\/b>\n\d{4}-\d{2}-\d{2} telegram:\d+: likes tea/);
    expect(await founderTypes('/customer')).toBe('Usage: /customer &lt;name, username or id&gt;');
    expect(h.sentTo(CUSTOMER).map((m) => m.text ?? '').filter((t) => /tea|vip/i.test(t))).toEqual([]);
  });
});
