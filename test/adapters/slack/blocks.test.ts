import { describe, expect, it } from 'vitest';
import {
  ACTION, attachmentsNotRelayedText, autoAnswerMessage, BLOCK, customerButtonMessage, customerMessageText, deliveryReportText, draftFromBlocks, escalationRootMessage,
  escalationThreadMessage, statusLine, withStatus,
} from '../../../src/adapters/slack/blocks.ts';
import { exampleEscalation } from '../../fixtures/slack/notices.ts';
import { markdownToMrkdwn } from '../../../src/adapters/slack/send.ts';

type Any = Record<string, unknown>;
const blocksOf = (m: { blocks: unknown[] }) => m.blocks as Any[];
const buttons = (m: { blocks: unknown[] }) =>
  blocksOf(m).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Any[]);

describe('escalationRootMessage', () => {
  it('shows customer, status, escaped question, history, candidates with confidence, the draft and its buttons', () => {
    const m = escalationRootMessage(exampleEscalation);
    const json = JSON.stringify(m.blocks);
    expect(blocksOf(m)[0]).toMatchObject({ type: 'header', text: { text: 'Ann Lee · Telegram' } });
    expect(blocksOf(m).find((b) => b.block_id === BLOCK.status)).toMatchObject({ type: 'context' });
    expect(json).toContain('waiting for you');
    // The customer's text is quoted and escaped: `<b>` can never become a Slack reference.
    expect(blocksOf(m).find((b) => b.block_id === BLOCK.question)).toMatchObject({ text: { text: '&gt; My invoice shows VAT twice &lt;b&gt;, can you fix it?' } });
    expect(json).toContain('2 earlier conversations');
    expect(json).toContain('last rating 4/5');
    expect(json).toContain('Hello! How can I help?');
    expect(json).toContain('`invoices-and-vat` Invoices and VAT — 62%');
    expect(draftFromBlocks(m.blocks)).toBe(exampleEscalation.draft);
    expect(buttons(m).map((b) => [b.action_id, b.value])).toEqual([
      [ACTION.sendDraft, exampleEscalation.conversationId],
      [ACTION.editDraft, exampleEscalation.conversationId],
      [ACTION.resolve, exampleEscalation.conversationId],
      [ACTION.saveArticle, exampleEscalation.conversationId],
    ]);
    expect(m.metadata).toEqual({ event_type: 'solodesk_conversation', event_payload: { conversation_id: exampleEscalation.conversationId, question: exampleEscalation.question } });
    expect(m.text).toBe('Ann Lee (Telegram): My invoice shows VAT twice &lt;b&gt;, can you fix it?');
  });

  it('has no Send draft button without a draft, and says when no article matched', () => {
    const { draft: _draft, ...withoutDraft } = exampleEscalation;
    const m = escalationRootMessage({ ...withoutDraft, candidates: [] });
    expect(buttons(m).map((b) => b.action_id)).toEqual([ACTION.resolve, ACTION.saveArticle]);
    expect(JSON.stringify(m.blocks)).toContain('No article matched');
    expect(draftFromBlocks(m.blocks)).toBeUndefined();
  });

  it('keeps a long draft whole across several blocks, within Block Kit limits', () => {
    const draft = 'x'.repeat(7000);
    const m = escalationRootMessage({ ...exampleEscalation, draft, question: 'q'.repeat(5000) });
    expect(draftFromBlocks(m.blocks)).toBe(draft);
    for (const b of blocksOf(m)) {
      const text = (b.text as { text?: string } | undefined)?.text;
      if (text !== undefined) expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(blocksOf(m).length).toBeLessThanOrEqual(50);
  });

  it('a later escalation in the thread carries its own Send draft button', () => {
    const m = escalationThreadMessage(exampleEscalation);
    expect(buttons(m).map((b) => b.action_id)).toEqual([ACTION.sendDraft, ACTION.editDraft]);
    expect(draftFromBlocks(m.blocks)).toBe(exampleEscalation.draft);
  });
});

describe('status and thread lines', () => {
  it('replaces only the status line', () => {
    const root = escalationRootMessage(exampleEscalation);
    const updated = withStatus(root.blocks, 'resolved', 'slack:UFOUNDER') as Any[];
    expect(updated).toHaveLength(root.blocks.length);
    expect(JSON.stringify(updated.find((b) => b.block_id === BLOCK.status))).toContain('resolved by <@UFOUNDER>');
    expect(updated.filter((b) => b.block_id !== BLOCK.status)).toEqual(blocksOf(root).filter((b) => b.block_id !== BLOCK.status));
  });

  it('names waiting, answered and resolved', () => {
    expect(statusLine('escalated')).toContain('waiting for you');
    expect(statusLine('waiting_customer', 'slack:U1')).toContain('answered by <@U1>');
    expect(statusLine('resolved', 'telegram:42')).toContain('resolved by telegram:42');
  });

  it('delivery reports and customer messages', () => {
    expect(deliveryReportText({ type: 'delivery_report', conversationId: 'c', messageId: 'm', delivered: true })).toBe('✓ founder reply delivered');
    expect(deliveryReportText({ type: 'delivery_report', conversationId: 'c', messageId: 'm', delivered: false, error: 'blocked <x>' })).toBe('✗ founder reply not delivered: blocked &lt;x&gt;');
    expect(customerMessageText({ type: 'customer_followup', conversationId: 'c', text: 'still <broken>', attachments: [{ kind: 'photo', name: 'a.png' }] }))
      .toBe(':speech_balloon: *Customer:*\n&gt; still &lt;broken&gt;\n:paperclip: a.png');
  });
});

describe('customer messages', () => {
  it('buttons become Block Kit buttons with the opaque action as value', () => {
    const m = customerButtonMessage('Was this helpful?', [{ action: 'fb:m1:up', label: '👍' }, { action: 'fb:m1:down', label: '👎' }]);
    expect(buttons(m)).toEqual([
      expect.objectContaining({ action_id: `${ACTION.customerPrefix}0`, value: 'fb:m1:up' }),
      expect.objectContaining({ action_id: `${ACTION.customerPrefix}1`, value: 'fb:m1:down' }),
    ]);
  });

  it('KB markdown becomes mrkdwn, escaped', () => {
    expect(markdownToMrkdwn('# Reset\n**Open** [settings](https://x.test/s) & press <Reset>\n- one'))
      .toBe('*Reset*\n*Open* <https://x.test/s|settings> &amp; press &lt;Reset&gt;\n• one');
  });
});

describe('attachmentsNotRelayedText', () => {
  const notice = (names: string[]) => ({ type: 'attachments_not_relayed' as const, conversationId: 'c1', names });

  it('names the file that did not reach the customer and says only text is relayed', () => {
    const text = attachmentsNotRelayedText(notice(['invoice-1042.pdf']));
    expect(text).toContain('“invoice-1042.pdf” was not sent to the customer');
    expect(text).toContain('only text is relayed');
  });

  it('lists several files, escaped so a name cannot mention anyone', () => {
    const text = attachmentsNotRelayedText(notice(['a.png', '<!channel> & co.txt']));
    expect(text).toContain('2 files were not sent');
    expect(text).toContain('• “a.png”');
    expect(text).toContain('• “&lt;!channel&gt; &amp; co.txt”');
    expect(text).not.toContain('<!channel>');
  });
});

describe('LLM notices in Slack', () => {
  const auto = {
    type: 'auto_answer' as const, conversationId: exampleEscalation.conversationId, customer: exampleEscalation.customer,
    question: 'VAT twice?', answer: 'Invoices list VAT once per line.', sources: [{ slug: 'invoices-and-vat', title: 'Invoices and VAT' }],
  };

  it('an auto answer opens a thread marked answered, with what was sent and its sources; in a thread it is one post', () => {
    const root = autoAnswerMessage(auto, true);
    const json = JSON.stringify(root.blocks);
    expect(json).toContain('Answered by the LLM (auto)');
    expect(json).toContain('Invoices list VAT once per line.');
    expect(json).toContain('Invoices and VAT (invoices-and-vat)');
    expect(root.blocks.find((b) => b.block_id === BLOCK.status)).toBeDefined();
    expect(root.metadata?.event_payload.conversation_id).toBe(auto.conversationId);
    expect(autoAnswerMessage(auto, false).blocks.find((b) => b.block_id === BLOCK.status)).toBeUndefined();
  });

  it('a draft carries its sources and why it did not go alone', () => {
    const json = JSON.stringify(escalationRootMessage({ ...exampleEscalation, draftSources: [{ slug: 'refunds', title: 'Refunds' }], notSentBecause: 'for the founder: refund' }).blocks);
    expect(json).toContain('The draft cites: Refunds (refunds)');
    expect(json).toContain('Not sent by itself because: for the founder: refund');
  });
});
