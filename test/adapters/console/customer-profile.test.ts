import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDesk, type TestDesk } from '../../support/test-desk.ts';
import { consoleSession } from './console-session.ts';

// The terminal as the founder console: `/tag`, `/note` act on the customer of the conversation,
// `/customer <name|id>` prints the profile; none of it reaches the customer.

let desk: TestDesk;
beforeAll(async () => {
  desk = await createTestDesk();
}, 60_000);
afterAll(async () => {
  await desk?.dispose();
});

describe('console: the customer commands', () => {
  it('/tag and /note change the customer; /customer shows them; the customer sees none of it', async () => {
    const [escalated, tagged, noted, shown, missing] = await consoleSession(desk, [
      'I want to talk to a human',
      '/tag VIP',
      '/note likes tea',
      '/customer GRA',
      '/customer nobody',
    ]);
    expect(escalated).toMatch(/\[escalated to the founder: human_requested/);
    expect(tagged).toBe('(Tags of grace: vip.)\n');
    expect(noted).toBe('(Note kept on grace (private, never sent to the customer).)\n');
    expect(shown).toMatch(/^grace \([0-9a-f-]{36}\)\nIdentities:\n {2}Console \(grace\)\nConversations \(1 conversation\):\n {2}\d{4}-\d{2}-\d{2} Console escalated: “I want to talk to a human”\n/);
    expect(shown).toMatch(/Tags:\n {2}vip\nNotes:\n {2}\d{4}-\d{2}-\d{2} console:grace: likes tea\n$/);
    expect(missing).toBe('(No customer matches “nobody”.)\n');
    const toCustomer = await desk.database.db.prisma.message.findMany({ where: { direction: 'outbound', kind: 'text' }, select: { text: true } });
    expect(toCustomer.filter((m) => /tea|vip/i.test(m.text))).toEqual([]);
  });
});
