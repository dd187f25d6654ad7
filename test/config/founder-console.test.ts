import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { founderConsoleOf } from '../../src/config/founder-console.ts';

const telegram = { TELEGRAM_BOT_TOKEN: '123:abc', FOUNDER_TELEGRAM_IDS: '42' };
const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh' };

describe('the founder console, chosen once from the configuration', () => {
  it('is Telegram when Slack carries customers only (no SLACK_FOUNDER_CHANNEL): escalations are not left pending', () => {
    expect(founderConsoleOf(loadConfig({ ...telegram, ...slack }))).toBe('telegram');
  });

  it('is the Slack channel when one is set, even with Telegram founders', () => {
    expect(founderConsoleOf(loadConfig({ ...telegram, ...slack, SLACK_FOUNDER_CHANNEL: 'C123' }))).toBe('slack');
  });

  it('is none of the chat apps without founder settings (the terminal may take it)', () => {
    expect(founderConsoleOf(loadConfig({ ...slack }))).toBeNull();
    expect(founderConsoleOf(loadConfig({ TELEGRAM_BOT_TOKEN: '123:abc' }))).toBeNull();
    expect(founderConsoleOf(loadConfig({}))).toBeNull();
  });
});
