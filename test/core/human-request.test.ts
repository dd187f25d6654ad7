import { describe, expect, it } from 'vitest';
import { asksForHuman } from '../../src/core/human-request.ts';

describe('asksForHuman', () => {
  it.each([
    'human',
    'Human please!',
    '/human',
    'I want to talk to a human',
    'can I speak with a real person?',
    'connect me to an agent',
    '转人工',
    '人工',
    '人工！',
    '我要人工客服',
    '请帮我转接人工',
    '客服在吗？',
    '有没有人工服务',
  ])('hears a request for a person in %s', (text) => {
    expect(asksForHuman(text)).toBe(true);
  });

  it.each([
    '你们的产品支持人工智能吗？',
    '人工智能可以帮我写报告吗',
    '人工费怎么算？',
    'does the agent feature work?',
    'How do I reset my password?',
    'Is your support team based in Europe?',
    '',
    '   ',
  ])('does not hear one in %j', (text) => {
    expect(asksForHuman(text)).toBe(false);
  });
});
