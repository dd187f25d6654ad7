import { describe, expect, it } from 'vitest';
import { encodeCustomerAction } from '../../src/core/customer-action.ts';
import { markdownToPlain, renderPlainReply, splitText, TypedRatings } from '../../src/core/plain-reply.ts';

// The reply for channels with plain text and no buttons (WeChat, Official Accounts, WeCom).

describe('a plain-text reply', () => {
  it('turns KB Markdown into text a person would type', () => {
    const plain = markdownToPlain('# 退款\n\n在 **订单** 页面点击 [申请退款](https://example.com/refund)。\n\n- 第一步\n- 第二步\n\n`code`');
    expect(plain).toBe('退款\n\n在 订单 页面点击 申请退款 (https://example.com/refund)。\n\n• 第一步\n• 第二步\n\ncode');
  });

  it('lists a rating as numbers under its prompt, and adds only the prompt under a suggestion list', () => {
    const messageId = '3f2b8c1e-9a4d-4f6b-8e2a-1c3d5e7f9a0b';
    const rating = renderPlainReply({
      text: 'Answer.',
      format: 'plain',
      buttonsPrompt: '这解答了您的问题吗？',
      buttons: [
        { action: encodeCustomerAction({ kind: 'feedback', vote: 'up', messageId }), label: '👍' },
        { action: encodeCustomerAction({ kind: 'feedback', vote: 'down', messageId }), label: '👎' },
      ],
    });
    expect(rating).toBe('Answer.\n\n这解答了您的问题吗？\n1. 👍\n2. 👎');
    const offer = renderPlainReply({
      text: '您是想问以下哪一个？\n1. 退款\n0. 都不是',
      format: 'plain',
      buttonsPrompt: '请回复文章编号，或回复 0 联系创始人。',
      buttons: [{ action: encodeCustomerAction({ kind: 'pick', offerId: 'abcdef0123', choice: 1 }), label: '退款' }],
    });
    expect(offer).toBe('您是想问以下哪一个？\n1. 退款\n0. 都不是\n\n请回复文章编号，或回复 0 联系创始人。');
  });

  it('splits at a paragraph when it can, and never cuts a character in two', () => {
    expect(splitText('short', { maxChars: 2_000 })).toEqual(['short']);
    const emoji = '😀'.repeat(2_500);
    const parts = splitText(emoji, { maxChars: 2_000 });
    expect(parts.join('')).toBe(emoji);
    expect(parts.map((p) => [...p].length)).toEqual([2_000, 500]);
  });

  it('splits by UTF-8 bytes for the APIs that count them, never inside a character', () => {
    const parts = splitText('中'.repeat(1000), { maxBytes: 2_000 });
    expect(parts.map((p) => [...p].length)).toEqual([666, 334]);
  });
});

describe('typed ratings', () => {
  const messageId = '3f2b8c1e-9a4d-4f6b-8e2a-1c3d5e7f9a0b';
  const rating = [
    { action: encodeCustomerAction({ kind: 'feedback', vote: 'up', messageId }), label: '👍' },
    { action: encodeCustomerAction({ kind: 'feedback', vote: 'down', messageId }), label: '👎' },
  ];

  it('reads "2" after a rating as its 👎 until it is closed; a suggestion list is left to the core', () => {
    const ratings = new TypedRatings();
    ratings.offer('chat', rating);
    expect(ratings.pick('chat', '3')).toBeUndefined();
    expect(ratings.pick('chat', ' 2 ')).toBe(rating[1]!.action);
    expect(ratings.pick('chat', '2')).toBe(rating[1]!.action);
    ratings.close('chat');
    expect(ratings.pick('chat', '2')).toBeUndefined();
    ratings.offer('chat', [{ action: encodeCustomerAction({ kind: 'pick', offerId: 'abcdef0123', choice: 1 }), label: '退款' }]);
    expect(ratings.pick('chat', '1')).toBeUndefined();
  });
});
