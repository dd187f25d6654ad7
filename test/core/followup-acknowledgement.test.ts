import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';

// A customer writing while the founder has the conversation: every line reaches the founder, and
// the customer hears "passed on" once per turn of the founder's, not once per line, and never
// silence (the first follow-up after the escalation, then the first after each founder reply).

const PASSED_ON = "Thanks — I've passed your message to the founder, who will reply here.";

let desk: TestDesk;
let customer: RecordingSender;
let founder: RecordingSender;
let seq = 0;

beforeEach(async () => {
  customer = new RecordingSender('test');
  founder = new RecordingSender('founder');
  desk = await createTestDesk({ senders: [customer, founder] });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
});
afterEach(async () => {
  await desk?.dispose();
});

const say = async (text: string) =>
  desk.decided(await desk.core.handleInbound({ channel: 'test', externalUserId: 'u1', externalChatId: 'c1', platformMessageId: `m${++seq}`, text }));

/** What the customer was sent since `mark` (an index into customer.texts()). */
async function sentSince(mark: number): Promise<string[]> {
  await desk.drain();
  return customer.texts().slice(mark);
}

describe('follow-ups relayed to the founder', () => {
  it('are acknowledged once per founder turn, and all reach the founder', async () => {
    const { conversationId } = await say('I want to talk to a human');
    expect(await sentSince(0)).toEqual([PASSED_ON]);

    let mark = customer.texts().length;
    expect((await say('It is about my invoice.')).outcome).toBe('relay_to_founder');
    expect(await sentSince(mark)).toEqual([PASSED_ON]);
    mark = customer.texts().length;
    expect((await say('Number 4711.')).outcome).toBe('relay_to_founder');
    expect((await say('From March.')).outcome).toBe('relay_to_founder');
    expect(await sentSince(mark)).toEqual([]);

    // The founder answers: the next follow-up starts a new turn, acknowledged once again.
    await desk.core.founder.reply({ conversationId: conversationId!, text: 'Which amount?', founder: 'slack:U1', platformMessageId: 'f1' });
    mark = (await sentSince(0)).length;
    expect((await say('120 euros.')).outcome).toBe('relay_to_founder');
    expect((await say('Paid twice.')).outcome).toBe('relay_to_founder');
    expect(await sentSince(mark)).toEqual([PASSED_ON]);

    await desk.drain();
    const relayed = founder.notices().flatMap((n) => (n.type === 'customer_followup' ? [n.text] : []));
    expect(relayed).toEqual(['It is about my invoice.', 'Number 4711.', 'From March.', '120 euros.', 'Paid twice.']);
  });
});
