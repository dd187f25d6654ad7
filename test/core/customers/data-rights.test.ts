import type { PrismaClient } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCustomerAction } from '../../../src/core/customer-action.ts';
import { exportCustomer, forgetCustomer, FORGET_ACTION, scrubJson, ERASED, ERASED_TEXT, type ForgetSummary } from '../../../src/core/customers/data-rights.ts';
import { buildReport, type Report, type ReportOptions } from '../../../src/core/insight/report.ts';
import type { CustomerDelivery } from '../../../src/core/ports.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

// Two customers talk to the bot through the real pipeline, each with marker strings in everything
// they say; forgetting one must leave its markers in no column of any table, and the other's where
// they were.

const A = ['ZEBRA-7Q', '斑马七号'];
const B = ['OKAPI-3X', '霍加狓三号'];

let desk: TestDesk;
let prisma: PrismaClient;
let clock: TestClock;
let customerSender: RecordingSender;
let seq = 0;

interface Seeded {
  customerId: string;
  linkedId: string;
  conversationIds: string[];
  leaveInFlight(): Promise<void>;
}

async function seedCustomer(user: string, [latin, chinese]: string[]): Promise<Seeded> {
  const inbound = (text: string, extra: Record<string, unknown> = {}, channel = 'test', who = user) =>
    desk.core.handleInbound({
      channel,
      externalUserId: who,
      externalChatId: `chat-${who}`,
      platformMessageId: `m${++seq}`,
      text,
      sender: { displayName: `Person ${latin}`, username: `user_${latin}` },
      raw: { update: { text, from: `Person ${latin}` } },
      ...extra,
    });
  const say = async (text: string, extra: Record<string, unknown> = {}) => desk.decided(await inbound(text, extra));
  const press = async (action: string) =>
    desk.decided(await desk.core.handleAction({ channel: 'test', externalUserId: user, externalChatId: `chat-${user}`, action, platformEventId: `cb${++seq}` }));
  const lastToCustomer = async () => {
    await desk.drain();
    const deliveries = customerSender.delivered.map((d) => (d.payload as CustomerDelivery).message);
    return deliveries.filter((m) => m.chatId === `chat-${user}`).at(-1)!;
  };

  // A suggestion, a pick (a lesson the KB learns), and a 👍 on the answer.
  const first = await say(`my password does not work anymore ${latin}`);
  expect(first.outcome).toBe('suggest');
  expect((await press((await lastToCustomer()).buttons![0]!.action)).outcome).toBe('pick');
  const up = (await lastToCustomer()).buttons!.find((b) => decodeCustomerAction(b.action)?.kind === 'feedback' && b.label === '👍')!;
  expect((await press(up.action)).outcome).toMatch(/feedback_up/);
  // Resolved, so the escalation below opens a conversation of its own and leaves the lesson be.
  await desk.core.founder.resolve({ conversationId: first.conversationId!, founder: 'slack:U1' });

  // "None of these": an escalation; the founder quotes the customer, keeps a note, resolves.
  await say(`can I get my money back ${chinese}`, { attachments: [{ kind: 'document', fileRef: `file-${latin}`, name: `receipt ${latin}.pdf` }] });
  const none = (await lastToCustomer()).buttons!.find((b) => decodeCustomerAction(b.action)?.kind === 'none_of_these')!;
  const escalated = await press(none.action);
  const conversationId = escalated.conversationId!;
  await desk.core.founder.reply({ conversationId, text: `You asked "can I get my money back ${chinese}": yes, within 30 days.`, founder: 'slack:U1' });
  await desk.core.founder.note({ conversationId, text: `note: ${latin} is a long-time customer`, founder: 'slack:U1' });
  await say(`thanks, one more thing ${latin}`);
  await prisma.conversation.update({
    where: { id: conversationId },
    data: { state: { draft: { text: `Draft quoting ${chinese}`, articleIds: [], at: new Date(clock.now()).toISOString() } } },
  });
  await desk.core.founder.resolve({ conversationId, founder: 'slack:U1' });
  await desk.drain();

  // The customer's profile (`!tag`, `!note`) and a CSAT rating with a comment.
  const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  const customerId = conversation.customerId;
  await desk.core.founder.tagCustomer({ conversationId, founder: 'slack:U1', tags: [`vip-${chinese}`] });
  await desk.core.founder.noteCustomer({ conversationId, founder: 'slack:U1', text: `prefers email ${latin}` });
  await prisma.feedback.create({ data: { kind: 'csat', conversationId, score: 5, comment: `great help ${chinese}` } });

  // The same person on another channel, linked into this customer (`!link`).
  await desk.decided(await inbound(`hello from the other app ${chinese}`, {}, 'other', `${user}-other`));
  const other = await prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalUserId: { channel: 'other', externalUserId: `${user}-other` } } });
  await desk.core.founder.linkCustomer({ conversationId, founder: 'slack:U1', query: other.customerId });

  const second = await say(`a new question about invoices ${latin}`);
  const conversations = await prisma.conversation.findMany({ where: { customerId: { in: [customerId, other.customerId] } } });
  return {
    customerId,
    linkedId: other.customerId,
    conversationIds: conversations.map((c) => c.id),
    // Still in flight (nothing drains after this): a founder reply not sent, a message not decided.
    async leaveInFlight() {
      await desk.core.founder.reply({ conversationId: second.conversationId!, text: `About "${latin}": I will check.`, founder: 'slack:U1' });
      await inbound(`one last thing ${chinese}`);
    },
  };
}

/** Every column of every table in the public schema that holds one of the markers, as `table.column: marker`. */
async function whereMarkersAre(markers: string[]): Promise<string[]> {
  const columns = await prisma.$queryRawUnsafe<Array<{ table: string; column: string }>>(
    `SELECT table_name::text AS "table", column_name::text AS "column" FROM information_schema.columns
      WHERE table_schema = 'public'
        AND (data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR (data_type = 'ARRAY' AND udt_name IN ('_text', '_varchar')))
      ORDER BY table_name, column_name`,
  );
  expect(columns.length).toBeGreaterThan(40);
  const found: string[] = [];
  for (const { table, column } of columns) {
    for (const marker of markers) {
      const [{ n }] = await prisma.$queryRawUnsafe<[{ n: number }]>(
        `SELECT count(*)::int AS n FROM "${table}" WHERE strpos("${column}"::text, $1) > 0`,
        marker,
      );
      if (n > 0) found.push(`${table}.${column}: ${marker}`);
    }
  }
  return found;
}

async function countsFor(conversationIds: string[]) {
  return {
    conversations: await prisma.conversation.count({ where: { id: { in: conversationIds } } }),
    messages: await prisma.message.groupBy({ by: ['author', 'direction', 'kind'], where: { conversationId: { in: conversationIds } }, _count: true, orderBy: [{ author: 'asc' }, { direction: 'asc' }, { kind: 'asc' }] }),
    feedback: await prisma.feedback.groupBy({ by: ['kind', 'score'], where: { conversationId: { in: conversationIds } }, _count: true, orderBy: [{ kind: 'asc' }, { score: 'asc' }] }),
    answered: await prisma.message.count({ where: { conversationId: { in: conversationIds }, articleId: { not: null } } }),
  };
}

describe('customer export and forget', () => {
  let a: Seeded;
  let b: Seeded;
  let before: Awaited<ReturnType<typeof countsFor>>;
  let summary: ForgetSummary;
  let period: ReportOptions;
  let reportBefore: Report;

  beforeAll(async () => {
    clock = new TestClock();
    customerSender = new RecordingSender('test');
    desk = await createTestDesk({
      senders: [customerSender, new RecordingSender('other'), new RecordingSender('founder')],
      thresholds: { answer: 1.01, suggest: 0.0001 },
      settings: { learnAfterMs: 60_000 },
      clock,
    });
    prisma = desk.database.db.prisma;
    await importKbDirectory(desk.kb, 'examples/kb', 'test');
    a = await seedCustomer('ua', A);
    b = await seedCustomer('ub', B);
    // The picks teach the KB (the DB stamps rows in real time, so the clock moves only now).
    clock.advance(61_000);
    expect(await desk.core.teachFromPicks()).toBe(2);
    await a.leaveInFlight();
    await b.leaveInFlight();
    before = await countsFor(a.conversationIds);
    period = { since: new Date(clock.now() - 86_400_000), until: new Date(clock.now() + 86_400_000) };
    reportBefore = await buildReport(prisma, period);
  }, 120_000);
  afterAll(() => desk.dispose());

  it('seeds markers all over the database, for both customers', async () => {
    const found = await whereMarkersAre([...A, ...B]);
    for (const place of ['Message.text', 'Message.raw', 'Message.attachments', 'InboundEvent.payload', 'Outbox.payload', 'Customer.displayName', 'Customer.notes',
      'Customer.tags', 'ChannelIdentity.displayName', 'Feedback.comment', 'Conversation.state', 'Article.questions', 'ArticleRevision.questions', 'ArticleRevision.change', 'AuditLog.details']) {
      expect(found.filter((f) => f.startsWith(`${place}:`)), place).not.toEqual([]);
    }
    expect(found).toEqual(expect.arrayContaining(['Message.text: ZEBRA-7Q', 'Message.text: 斑马七号', 'Message.text: OKAPI-3X', 'Message.text: 霍加狓三号']));
  });

  it('exports everything about the customer and its linked customer, and nothing of the other customer', async () => {
    const exported = await exportCustomer(prisma, a.customerId, clock);
    const json = JSON.stringify(exported);
    expect(exported.customer.id).toBe(a.customerId);
    expect(exported.linkedCustomers.map((c) => c.id)).toEqual([a.linkedId]);
    expect(exported.identities.map((i) => i.channel).sort()).toEqual(['other', 'test']);
    expect(exported.conversations.map((c) => c.id).sort()).toEqual([...a.conversationIds].sort());
    expect(exported.conversations.flatMap((c) => c.feedback).map((f) => f.kind).sort()).toEqual(['answer', 'csat']);
    expect(exported.links).toHaveLength(1);
    expect(exported.audit.map((r) => r.action)).toEqual(expect.arrayContaining(['customer.note', 'customer.tag', 'customer.link', 'conversation.resolve', 'article.learned_question']));
    for (const marker of A) expect(json).toContain(marker);
    for (const marker of B) expect(json).not.toContain(marker);
    expect(exported.conversations.flatMap((c) => c.messages).map((m) => m.text)).toEqual(
      expect.arrayContaining([`note: ZEBRA-7Q is a long-time customer`, `You asked "can I get my money back 斑马七号": yes, within 30 days.`]),
    );
  });

  it('forgets the customer: its markers are in no column of any table, the other customer keeps its own', async () => {
    expect(await prisma.inboundEvent.count({ where: { status: 'pending' } })).toBe(2);
    const unsent = await prisma.outbox.findMany({ where: { status: 'pending' }, orderBy: { seq: 'asc' } });
    // Each customer's last founder reply: the delivery to the customer, and the thread's status notice.
    expect(unsent.map((row) => (row.payload as { type: string }).type)).toEqual(['customer_message', 'status', 'customer_message', 'status']);
    summary = await forgetCustomer(prisma, a.customerId, { actor: 'cli:forget', clock });
    expect(summary.customerIds.sort()).toEqual([a.customerId, a.linkedId].sort());
    expect(summary).toMatchObject({ conversations: a.conversationIds.length, identities: 2, undecidedDropped: 1, unsentCancelled: 2, articlesEdited: 1 });

    // Every figure of the report over the same period reads the same.
    // (The seed moves figures that read texts, button codes and times: languages, picks, founder replies.)
    // Per customer: four conversations (two in Chinese), each with a list, one pick, one escalation
    // the founder answered: figures that read texts, button codes and reply times.
    expect(reportBefore.conversations).toBe(8);
    expect(reportBefore.byLanguage.map((b) => [b.key, b.conversations])).toEqual([['en', 4], ['zh', 4]]);
    const figures = (r: Report) => [r.suggested.count, r.picked.count, r.escalated.count, r.founderResponse.count];
    expect(figures(reportBefore)).toEqual([8, 2, 2, 2]);
    expect(await buildReport(prisma, period)).toEqual(reportBefore);

    expect(await whereMarkersAre(A)).toEqual([]);
    const others = await whereMarkersAre(B);
    for (const place of ['Message.text', 'Customer.notes', 'Article.questions', 'ArticleRevision.change', 'Feedback.comment', 'Outbox.payload', 'InboundEvent.payload']) {
      expect(others.filter((f) => f.startsWith(`${place}:`)), place).not.toEqual([]);
    }
  });

  it('keeps the counts reports use, and an audit row with counts only', async () => {
    expect(await countsFor(a.conversationIds)).toEqual(before);
    expect(before.messages.length).toBeGreaterThan(3);
    const customers = await prisma.customer.findMany({ where: { id: { in: [a.customerId, a.linkedId] } } });
    expect(customers.map((c) => c.forgottenAt)).toEqual([expect.any(Date), expect.any(Date)]);
    expect(customers.map((c) => [c.displayName, c.notes, c.tags])).toEqual([[null, null, []], [null, null, []]]);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: FORGET_ACTION } });
    expect(audit).toMatchObject({ actor: 'cli:forget', entity: 'customer', entityId: a.customerId });
    expect(Object.values(audit.details as object).every((v) => typeof v === 'number')).toBe(true);
    // The undecided message is not decided later, and the unsent reply is not sent.
    await desk.drain();
    expect(await prisma.inboundEvent.count({ where: { status: 'failed', reason: { contains: 'forgotten' } } })).toBe(1);
    expect(customerSender.texts().filter((text) => text.includes('I will check'))).toEqual(['About "OKAPI-3X": I will check.']);
    expect(await prisma.outbox.count({ where: { status: 'pending' } })).toBe(0);
  });

  it('a new message from the forgotten person starts a new customer and a new conversation', async () => {
    const result = await desk.decided(
      await desk.core.handleInbound({ channel: 'test', externalUserId: 'ua', externalChatId: 'chat-ua', platformMessageId: `m${++seq}`, text: 'hello again' }),
    );
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: result.conversationId! } });
    expect(a.conversationIds).not.toContain(conversation.id);
    expect(conversation.customerId).not.toBe(a.customerId);
    const exported = await exportCustomer(prisma, a.customerId, clock);
    expect(exported.identities).toEqual([]);
    const texts = exported.conversations.flatMap((c) => c.messages).filter((m) => m.author === 'customer').map((m) => m.text);
    expect(new Set(texts)).toEqual(new Set([ERASED_TEXT.en, ERASED_TEXT.zh]));
    // A press keeps its button code (reports count picks by it), nothing else of its payload.
    const presses = exported.conversations.flatMap((c) => c.messages).filter((m) => m.kind === 'action');
    expect(presses.map((m) => Object.keys(m.raw as object))).toEqual(presses.map(() => ['action']));
  });

  it('refuses an unknown customer', async () => {
    await expect(forgetCustomer(prisma, '00000000-0000-4000-8000-000000000000', { actor: 't', clock })).rejects.toThrow(/no customer/);
    await expect(exportCustomer(prisma, 'not-an-id', clock)).rejects.toMatchObject({ code: 'customer_not_found' });
  });
});

describe('scrubJson', () => {
  it('keeps ids, numbers and codes, erases every other string', () => {
    const id = '3f2c1d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f';
    expect(scrubJson({ type: 'escalation', conversationId: id, question: 'ZEBRA', history: [{ author: 'customer', text: 'x', at: 'y' }], tokens: 3, ok: true, n: null })).toEqual({
      type: 'escalation',
      conversationId: id,
      question: ERASED,
      history: [{ author: ERASED, text: ERASED, at: ERASED }],
      tokens: 3,
      ok: true,
      n: null,
    });
  });
});
