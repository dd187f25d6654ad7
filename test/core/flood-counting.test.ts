import { afterEach, describe, expect, it } from 'vitest';
import { decodeCustomerAction } from '../../src/core/customer-action.ts';
import type { CustomerDelivery } from '../../src/core/ports.ts';
import { importKbDirectory } from '../../src/kb/markdown.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../support/test-desk.ts';

// The flood rule (8 customer messages a minute, DEFAULT_CORE_SETTINGS) counts what a customer
// writes, not a customer answering the bot: a 👍/👎 or any other button press, and a typed pick
// from a "did you mean" list, never trip it, on any channel. Everything here happens well within
// one minute, on a real desk.

let desk: TestDesk;
let customer: RecordingSender;
let founder: RecordingSender;
let seq = 0;

async function setUp(thresholds?: { answer: number; suggest: number }) {
  customer = new RecordingSender('test');
  founder = new RecordingSender('founder');
  desk = await createTestDesk({ senders: [customer, founder], ...(thresholds ? { thresholds } : {}) });
  await importKbDirectory(desk.kb, 'examples/kb', 'test');
}
afterEach(async () => {
  await desk?.dispose();
});

const say = async (text: string) =>
  desk.decided(await desk.core.handleInbound({ channel: 'test', externalUserId: 'u1', externalChatId: 'c1', platformMessageId: `m${++seq}`, text }));
const press = (action: string) =>
  desk.core.handleAction({ channel: 'test', externalUserId: 'u1', externalChatId: 'c1', action, platformEventId: `cb${++seq}` });

/** The last message the customer got, once everything due is sent. */
async function lastToCustomer(): Promise<CustomerDelivery['message']> {
  await desk.drain();
  return (customer.delivered.at(-1)!.payload as CustomerDelivery).message;
}

function thumbsUpOn(answer: CustomerDelivery['message']) {
  return answer.buttons!.find((b) => {
    const action = decodeCustomerAction(b.action);
    return action?.kind === 'feedback' && action.vote === 'up';
  })!;
}

const floodNotices = () => customer.texts().filter((t) => t.includes('a lot of messages'));

describe('the flood rule counts what the customer writes', () => {
  it('five questions and five 👍 within a minute are all answered; the ninth question is a flood', async () => {
    await setUp();
    for (let i = 0; i < 5; i++) {
      expect((await say('How do I reset my password?')).outcome).toBe('answer');
      expect((await press(thumbsUpOn(await lastToCustomer()).action)).outcome).toBe('feedback_up');
    }
    await desk.drain();
    expect(floodNotices()).toEqual([]);
    expect(founder.notices()).toEqual([]);

    // Questions still count: 5 + 3 is the limit, the 9th written message is over it.
    for (let i = 0; i < 3; i++) expect((await say('How do I reset my password?')).outcome).toBe('answer');
    expect(await say('How do I reset my password?')).toMatchObject({ outcome: 'escalate' });
    await desk.drain();
    expect(floodNotices()).toHaveLength(1);
    expect(founder.notices()).toMatchObject([{ type: 'escalation', reason: 'flood' }]);
  });

  it('a typed pick is not a flood: "1" after a list gets the article, as the ninth message of the minute', async () => {
    await setUp({ answer: 1.01, suggest: 0.0001 });
    const askAndPick = async () => {
      expect((await say('my password does not work anymore')).outcome).toBe('suggest');
      expect((await lastToCustomer()).text).toMatch(/^Did you mean one of these\?\n1\. Reset your password/);
      expect((await say('1')).outcome).toBe('pick');
      const article = await lastToCustomer();
      expect(article.text).toMatch(/^\*\*Reset your password\*\*/);
      return article;
    };
    // Eight messages: three questions with their picks, a fourth question, a 👍 on the last article.
    await askAndPick();
    await askAndPick();
    const article = await askAndPick();
    expect((await say('my password does not work anymore')).outcome).toBe('suggest');
    expect((await press(thumbsUpOn(article).action)).outcome).toBe('feedback_up');

    expect((await say('1')).outcome).toBe('pick');
    expect((await lastToCustomer()).text).toMatch(/^\*\*Reset your password\*\*/);
    expect(floodNotices()).toEqual([]);
    expect(founder.notices()).toEqual([]);
  });
});
