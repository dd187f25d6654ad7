import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateDm, FOUNDER_CHANNEL, postedTo, startSlackHarness, type SlackHarness } from './harness.ts';

// The customer profile from Slack, through Bolt against the fake Web API: `!link`, `!tag` and
// `!note` typed in a founder thread, then `/customer` showing the joined profile.

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const ephemerals = () => h.fake.callsOf('chat.postEphemeral').map((c) => String(c.payload.text));

describe('/customer and the customer commands in a Slack thread', () => {
  let rootTs: string;
  let other: string;

  it('!link, !tag and !note in the thread act on the customer, and nothing reaches the customer', async () => {
    ({ rootTs } = await escalateDm(h));
    await h.customerDm('hello from my other account', { user: 'UOTHER', channel: 'D2' });
    await h.drain();
    other = (await h.desk.database.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalUserId: 'UOTHER' } })).customerId;

    const answered = (prefix: string) => h.fake.waitFor((c) => c.method === 'chat.postEphemeral' && String(c.payload.text).startsWith(prefix));
    for (const [text, answer] of [[`!link ${other}`, 'Linked'], ['!tag VIP beta', 'Tags of'], ['!note prefers email', 'Note kept on']] as const) {
      expect((await h.founderReply(rootTs, text)).status).toBe(200);
      await answered(answer);
    }
    const said = ephemerals();
    expect(said.find((t) => t.startsWith('Linked'))).toMatch(/^Linked uother into ucustomer: 2 identities \(Slack @ucustomer \(UCUSTOMER\), Slack @uother \(UOTHER\)\), 2 conversations/);
    expect(said).toContain('Tags of ucustomer: vip, beta.');
    expect(said).toContain('Note kept on ucustomer (private, never sent to the customer).');
    await h.drain();
    const toCustomers = [...postedTo(h.fake, 'D1'), ...postedTo(h.fake, 'D2')].map((m) => m.text ?? '');
    expect(toCustomers.filter((t) => /prefers email|vip|!link/i.test(t))).toEqual([]);
  });

  it('/customer shows the profile: both identities, tags, the dated note', async () => {
    const res = await h.command({ command: '/customer', text: 'uother', channelId: FOUNDER_CHANNEL });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    const text = res.json.text ?? '';
    expect(text).toMatch(/^:bust_in_silhouette: \*ucustomer \([0-9a-f-]{36}\)\*\n\*Identities\*\n• Slack @ucustomer \(UCUSTOMER\)\n• Slack @uother \(UOTHER\)\n/);
    expect(text).toContain('*Conversations (2 conversations)*');
    expect(text).toContain('vip, beta');
    expect(text).toMatch(/• \d{4}-\d{2}-\d{2} slack:UFOUNDER: prefers email/);
    expect(text).toContain('*Linked*');

    const byId = await h.command({ command: '/customer', text: other, channelId: FOUNDER_CHANNEL });
    expect(byId.json.text?.split('\n')[0]).toBe(text.split('\n')[0]);
    const none = await h.command({ command: '/customer', text: 'nobody-like-this', channelId: FOUNDER_CHANNEL });
    expect(none.json.text).toBe('No customer matches “nobody-like-this”.');
  });

  it('is refused to anyone but the founders', async () => {
    const res = await h.command({ command: '/customer', text: 'uother', userId: 'USTRANGER' });
    expect(res.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('only for the founders') });
    expect(res.json.text).not.toContain('UOTHER');
  });
});
