import { describe, expect, it } from 'vitest';
import { NOTICE_WORDS, noticeView, REASON_TEXT, statusSentence, type NoticeView } from '../../../src/core/founder/notice-view.ts';
import type { ChannelEvent, FounderNotice } from '../../../src/core/ports.ts';
import { exampleEscalation } from '../../fixtures/slack/notices.ts';

// The one wording of every founder notice, before any console marks it up.

const viewOf = <T extends NoticeView['type']>(notice: FounderNotice & { type: T }) => noticeView(notice) as Extract<NoticeView, { type: T }>;
const plainSentence = (v: Extract<NoticeView, { type: 'status' }>) => statusSentence(v, { text: (t) => t, who: (r) => `@${r}` });

describe('escalation view', () => {
  it('summarises the customer, the question, the history without the question, candidates and the draft', () => {
    const v = viewOf(exampleEscalation);
    expect(v.reasonText).toBe('the KB is not sure');
    expect(v.customer).toEqual({
      name: 'Ann Lee', username: 'annlee', channelName: 'Telegram', externalId: '1111111',
      conversations: '2 earlier conversations', rating: 'last rating 4/5', otherIdentities: [], tags: [], notes: [],
    });
    expect(v.question).toBe(exampleEscalation.question);
    expect(v.earlier).toEqual([{ author: 'customer', text: 'Hi!' }, { author: 'bot', text: 'Hello! How can I help?' }]);
    expect(v.candidates).toEqual([
      { title: 'Invoices and VAT', slug: 'invoices-and-vat', percent: '62%' },
      { title: 'Refunds', slug: 'refunds', percent: '21%' },
    ]);
    expect(v.draft).toBe(exampleEscalation.draft);
    expect(v.toldCustomer).toBeNull();
  });

  it('a first-time customer without a name, a blank question, files, and what the customer was told', () => {
    const v = viewOf({
      ...exampleEscalation,
      reason: 'human_requested',
      customer: { ...exampleEscalation.customer, displayName: null, username: null, earlierConversations: 0, lastRating: null },
      question: '  ',
      attachments: [{ kind: 'photo' }, { kind: 'document', name: 'invoice.pdf' }],
      draft: ' ',
      customerNotice: 'We are away until Monday.',
    });
    expect(v.customer).toMatchObject({ name: '1111111', conversations: 'first conversation', rating: 'no rating yet' });
    expect(v.question).toBe(NOTICE_WORDS.noText);
    expect(v.files).toEqual(['photo', 'invoice.pdf']);
    expect(v.draft).toBeNull();
    expect(v.toldCustomer).toBe('We are away until Monday.');
    expect(v.reasonText).toBe('the customer asked for a person');
  });

  it('has one wording for every reason, and keeps only the last few lines of history, one line each', () => {
    expect(Object.keys(REASON_TEXT).sort()).toEqual(['customer_rejected_answer', 'flood', 'human_requested', 'kb_unsure', 'no_suggestion_fit']);
    const history = Array.from({ length: 9 }, (_v, i) => ({ author: 'customer', text: `line ${i}\n  more`, at: '2026-01-01T00:00:00Z' }));
    const v = viewOf({ ...exampleEscalation, history });
    expect(v.earlier.map((h) => h.text)).toEqual(['line 4 more', 'line 5 more', 'line 6 more', 'line 7 more', 'line 8 more']);
  });
});

describe('the other notices', () => {
  it('a follow-up: its text (or "(no text)") and its files', () => {
    expect(viewOf({ type: 'customer_followup', conversationId: 'c', text: '', attachments: [{ kind: 'voice' }] }))
      .toMatchObject({ text: '(no text)', files: ['voice'] });
  });

  it('status: whose turn it is, and who changed it', () => {
    const status = (s: string, by: string) => viewOf({ type: 'status', conversationId: 'c', status: s, by });
    expect(plainSentence(status('escalated', 'system'))).toBe('waiting for you');
    expect(plainSentence(status('escalated', 'slack:U1'))).toBe('waiting for you (reopened by @slack:U1)');
    expect(plainSentence(status('waiting_customer', 'telegram:42'))).toBe('answered by @telegram:42, waiting for the customer');
    expect(plainSentence(status('resolved', 'console:me'))).toBe('resolved by @console:me');
    expect(status('resolved', 'console:me')).toMatchObject({ phase: 'resolved', text: 'resolved' });
    expect(plainSentence(status('archived', ''))).toBe('archived');
  });

  it('delivery report: delivered, or not with the reason', () => {
    expect(viewOf({ type: 'delivery_report', conversationId: 'c', messageId: 'm', delivered: true })).toMatchObject({ text: 'founder reply delivered', error: null });
    expect(viewOf({ type: 'delivery_report', conversationId: 'c', messageId: 'm', delivered: false }))
      .toMatchObject({ text: 'founder reply not delivered', error: 'unknown reason' });
  });

  it('files not relayed: names the file, or counts several', () => {
    const files = (names: string[]) => viewOf({ type: 'attachments_not_relayed', conversationId: 'c', names });
    expect(files(['a.pdf']).text).toMatch(/^“a\.pdf” was not sent to the customer: only text is relayed/);
    expect(files(['a.pdf', 'b.png'])).toMatchObject({ names: ['a.pdf', 'b.png'], text: expect.stringMatching(/^2 files were not sent/) });
    expect(files([]).text).toMatch(/^Your file was not sent/);
  });
});

describe('channel events', () => {
  const event = (e: ChannelEvent) => viewOf({ type: 'channel_event', event: e });

  it('one title per kind; the name of who logged in or asks is in the title, other details under it', () => {
    expect(event({ channel: 'wechat', event: 'login_qr', detail: 'Scan it with the desk account', url: 'https://login.weixin.qq.com/l/abc' })).toEqual({
      type: 'channel_event', channel: 'wechat', event: 'login_qr',
      title: 'WeChat needs a new login: scan the QR code', detail: 'Scan it with the desk account',
      url: 'https://login.weixin.qq.com/l/abc', linkText: 'Open the QR code',
    });
    expect(event({ channel: 'wechat', event: 'logged_in', detail: 'Solodesk Support' })).toMatchObject({ title: 'WeChat logged in as Solodesk Support', detail: null, url: null, linkText: null });
    expect(event({ channel: 'wechat', event: 'logged_out', detail: 'the phone logged the desk out' })).toMatchObject({ title: 'WeChat logged out', detail: 'the phone logged the desk out' });
    expect(event({ channel: 'wechat', event: 'session_error', detail: 'puppet stopped' })).toMatchObject({ title: 'WeChat session error', detail: 'puppet stopped' });
    expect(event({ channel: 'wechat', event: 'friend_request', detail: 'Ann: hello, a question about pricing' }))
      .toMatchObject({ title: 'Friend request on WeChat: Ann: hello, a question about pricing', detail: null });
  });

  it('without a detail the title stands alone; an unknown channel keeps its own name', () => {
    expect(event({ channel: 'wechat', event: 'logged_in', detail: ' ' })).toMatchObject({ title: 'WeChat logged in', detail: null });
    expect(event({ channel: 'wechat', event: 'friend_request', detail: '' })).toMatchObject({ title: 'Friend request on WeChat', detail: null });
    expect(event({ channel: 'line', event: 'logged_out', detail: '' })).toMatchObject({ title: 'line logged out', detail: null });
    // A kind a newer adapter sends (or an older outbox row holds) is shown, not dropped.
    expect(event({ channel: 'wechat', event: 'scan_expired' as ChannelEvent['event'], detail: 'try again' })).toMatchObject({ title: 'WeChat: scan_expired', detail: 'try again' });
  });

  it('a detail is one line and bounded, whatever the adapter passed', () => {
    const v = event({ channel: 'wechat', event: 'session_error', detail: `first\nsecond\t${'x'.repeat(900)}` });
    expect(v.detail).toMatch(/^first second x+…$/);
    expect(v.detail).toHaveLength(500);
  });

  it('only an http(s) link of reasonable length is offered', () => {
    const url = (u: string) => event({ channel: 'wechat', event: 'login_qr', detail: '', url: u }).url;
    expect(url('https://wechaty.js.org/qrcode/a b')).toBe('https://wechaty.js.org/qrcode/a%20b');
    expect(url('javascript:alert(1)')).toBeNull();
    expect(url('not a url')).toBeNull();
    expect(url(`https://example.com/${'q'.repeat(2100)}`)).toBeNull();
  });
});

describe('LLM notices', () => {
  const customer = exampleEscalation.customer;

  it('an escalation shows the draft with the articles it cites and, in auto mode, why it did not go alone', () => {
    const v = viewOf({
      ...exampleEscalation,
      draftSources: [{ slug: 'invoices-and-vat', title: 'Invoices and VAT' }],
      notSentBecause: 'invented price/number: 7',
    });
    expect(v.draftSources).toEqual(['Invoices and VAT (invoices-and-vat)']);
    expect(v.notSentBecause).toBe('invented price/number: 7');
    expect(viewOf(exampleEscalation)).toMatchObject({ draftSources: [], notSentBecause: null });
  });

  it('an auto answer says what was sent, to whom, from which articles', () => {
    const v = viewOf({
      type: 'auto_answer', conversationId: 'c1', customer, question: ' ', answer: 'Invoices list VAT once.',
      sources: [{ slug: 'invoices-and-vat', title: 'Invoices and VAT' }],
    });
    expect(v).toMatchObject({ conversationId: 'c1', question: NOTICE_WORDS.noText, answer: 'Invoices list VAT once.', sources: ['Invoices and VAT (invoices-and-vat)'] });
    expect(v.customer.name).toBe('Ann Lee');
  });

  it('the LLM standing aside is a desk event with its reason', () => {
    const v = viewOf({ type: 'channel_event', event: { channel: 'llm', event: 'llm_unavailable', detail: "today's budget is spent" } });
    expect(v).toMatchObject({ title: 'The LLM is standing aside for now', detail: "today's budget is spent", url: null });
  });
});
