import { afterEach, describe, expect, it } from 'vitest';
import { markdownToPlain, renderForWechat, splitText, WECHAT_TEXT_LIMIT } from '../../../src/adapters/wechat/format.ts';
import { encodeCustomerAction } from '../../../src/core/customer-action.ts';
import type { Delivery } from '../../../src/core/ports.ts';
import { PlatformApiError, RateLimitedError } from '../../../src/errors.ts';
import { startWechatHarness, type WechatHarness } from './harness.ts';

// The send side on the real Wechaty + mock puppet, called the way the outbox calls it, and the
// pure rendering of KB Markdown and buttons into WeChat text.

let h: WechatHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

let counter = 0;
function delivery(chatId: string, text: string): Delivery {
  counter += 1;
  return {
    id: `delivery-${counter}`,
    channel: 'wechat',
    attempt: 1,
    payload: { type: 'customer_message', conversationId: 'c1', messageId: `m${counter}`, message: { channel: 'wechat', chatId, text, format: 'plain' } },
  };
}

describe('wechat sender', () => {
  it('reports a contact WeChat does not know as a permanent failure', async () => {
    h = await startWechatHarness();
    const sender = h.channel.senders[0]!;
    const failure = await sender.send(delivery('wxid_gone', 'hello')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PlatformApiError);
    expect((failure as PlatformApiError).permanent).toBe(true);
    expect((failure as PlatformApiError).reason).toBe('chat_not_found');
  });

  it('keeps to the per-minute budget: the send over it waits (not counted as a failure)', async () => {
    h = await startWechatHarness({ env: { WECHAT_MAX_PER_MINUTE: '2' } });
    const wang = h.contact('王芳');
    const sender = h.channel.senders[0]!;
    expect(sender.limits).toEqual({ perChatIntervalMs: 0, perSecond: 1 });
    await sender.send(delivery(wang.id, 'one'));
    await sender.send(delivery(wang.id, 'two'));
    const refused = await sender.send(delivery(wang.id, 'three')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((refused as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(60_000);
    h.clock.advance(60_000);
    await sender.send(delivery(wang.id, 'three'));
    expect(h.saidTo(wang).map((s) => s.text)).toEqual(['one', 'two', 'three']);
  });

  it('sends a text longer than WeChat takes whole as several messages, in order', async () => {
    h = await startWechatHarness();
    const wang = h.contact('王芳');
    const paragraph = '退款说明。'.repeat(300);
    await h.channel.senders[0]!.send(delivery(wang.id, `${paragraph}\n\n${paragraph}`));
    const said = h.saidTo(wang).map((s) => s.text);
    expect(said).toEqual([paragraph, paragraph]);
    expect(said.every((t) => t.length <= WECHAT_TEXT_LIMIT)).toBe(true);
  });
});

describe('rendering for WeChat', () => {
  it('turns KB Markdown into text a person would type', () => {
    const plain = markdownToPlain('# 退款\n\n在 **订单** 页面点击 [申请退款](https://example.com/refund)。\n\n- 第一步\n- 第二步\n\n`code`');
    expect(plain).toBe('退款\n\n在 订单 页面点击 申请退款 (https://example.com/refund)。\n\n• 第一步\n• 第二步\n\ncode');
  });

  it('lists a rating as numbers under its prompt, and adds only the prompt under a suggestion list', () => {
    const messageId = '3f2b8c1e-9a4d-4f6b-8e2a-1c3d5e7f9a0b';
    const rating = renderForWechat({
      text: 'Answer.',
      format: 'plain',
      buttonsPrompt: '这解答了您的问题吗？',
      buttons: [
        { action: encodeCustomerAction({ kind: 'feedback', vote: 'up', messageId }), label: '👍' },
        { action: encodeCustomerAction({ kind: 'feedback', vote: 'down', messageId }), label: '👎' },
      ],
    });
    expect(rating).toBe('Answer.\n\n这解答了您的问题吗？\n1. 👍\n2. 👎');
    const offer = renderForWechat({
      text: '您是想问以下哪一个？\n1. 退款\n0. 都不是',
      format: 'plain',
      buttonsPrompt: '请回复文章编号，或回复 0 联系创始人。',
      buttons: [{ action: encodeCustomerAction({ kind: 'pick', offerId: 'abcdef0123', choice: 1 }), label: '退款' }],
    });
    expect(offer).toBe('您是想问以下哪一个？\n1. 退款\n0. 都不是\n\n请回复文章编号，或回复 0 联系创始人。');
  });

  it('splits at a paragraph when it can, and never cuts a character in two', () => {
    expect(splitText('short')).toEqual(['short']);
    const emoji = '😀'.repeat(2_500);
    const parts = splitText(emoji);
    expect(parts.join('')).toBe(emoji);
    expect(parts.map((p) => [...p].length)).toEqual([2_000, 500]);
  });
});
