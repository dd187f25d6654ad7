import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { founderConsoleOf, founderConsoleProblem, requireFounderConsole } from '../../src/config/founder-console.ts';
import { ConfigError } from '../../src/errors.ts';

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

describe('a customer channel with no founder console is refused at start', () => {
  const problem = (env: Record<string, string>, terminal = false) => founderConsoleProblem(loadConfig(env), { terminal });

  it('Telegram customers without FOUNDER_TELEGRAM_IDS and without a Slack founder channel', () => {
    expect(problem({ TELEGRAM_BOT_TOKEN: '123:abc' })).toBe(
      'FOUNDER_TELEGRAM_IDS: TELEGRAM_BOT_TOKEN lets customers in, but no founder console would see their escalations; ' +
        'set FOUNDER_TELEGRAM_IDS to your Telegram user id, or SLACK_BOT_TOKEN with SLACK_FOUNDER_CHANNEL',
    );
  });

  it('Slack customers without SLACK_FOUNDER_CHANNEL and without Telegram founders', () => {
    expect(problem({ ...slack })).toBe(
      "SLACK_FOUNDER_CHANNEL: SLACK_BOT_TOKEN lets customers in, but no founder console would see their escalations; " +
        "set SLACK_FOUNDER_CHANNEL to your private channel's id, or TELEGRAM_BOT_TOKEN with FOUNDER_TELEGRAM_IDS",
    );
    // SLACK_FOUNDER_USERS may run founder commands, but without a channel escalations have nowhere to go.
    expect(problem({ ...slack, SLACK_FOUNDER_USERS: 'U1' })).toMatch(/^SLACK_FOUNDER_CHANNEL: /);
  });

  it('both chat apps without either founder setting: one line naming both ways out', () => {
    const line = problem({ TELEGRAM_BOT_TOKEN: '123:abc', ...slack });
    expect(line).toBe(
      "SLACK_FOUNDER_CHANNEL: TELEGRAM_BOT_TOKEN and SLACK_BOT_TOKEN let customers in, but no founder console would see their escalations; " +
        "set SLACK_FOUNDER_CHANNEL to your private channel's id, or FOUNDER_TELEGRAM_IDS to your Telegram user id",
    );
    expect(line).not.toContain('\n');
  });

  it('the web chat embedded on a site (WEB_ALLOWED_ORIGINS) needs one; on its own demo page it does not', () => {
    expect(problem({ WEB_ALLOWED_ORIGINS: 'https://shop.example.com' })).toMatch(/^SLACK_FOUNDER_CHANNEL: WEB_ALLOWED_ORIGINS lets customers in/);
    expect(problem({ WEB_ALLOWED_ORIGINS: 'https://shop.example.com' }, true)).toBeNull();
    expect(problem({})).toBeNull();
  });

  it('WeChat alone: its escalations (and its login QR code) need a console on another app', () => {
    expect(problem({ WECHATY_PUPPET: 'wechaty-puppet-wechat4u' })).toBe(
      'SLACK_FOUNDER_CHANNEL: WECHATY_PUPPET lets customers in, but no founder console would see their escalations; ' +
        "set SLACK_BOT_TOKEN with SLACK_FOUNDER_CHANNEL, or TELEGRAM_BOT_TOKEN with FOUNDER_TELEGRAM_IDS, for the founder's console",
    );
    expect(problem({ WECHATY_PUPPET: 'p', TELEGRAM_BOT_TOKEN: '123:abc' })).toMatch(/^FOUNDER_TELEGRAM_IDS: TELEGRAM_BOT_TOKEN and WECHATY_PUPPET let customers in/);
  });

  it('an Official Account or WeCom alone: refused the same way, naming its variable', () => {
    const oa = { WECHAT_OA_APP_ID: 'wx123', WECHAT_OA_APP_SECRET: 'secret', WECHAT_OA_TOKEN: 'token' };
    expect(problem(oa)).toMatch(/^SLACK_FOUNDER_CHANNEL: WECHAT_OA_APP_ID lets customers in/);
    const wecom = { WECOM_CORP_ID: 'ww123', WECOM_KF_SECRET: 'secret', WECOM_TOKEN: 'token', WECOM_AES_KEY: 'a'.repeat(43) };
    expect(problem(wecom)).toMatch(/^SLACK_FOUNDER_CHANNEL: WECOM_CORP_ID lets customers in/);
    expect(problem({ ...wecom, ...telegram })).toBeNull();
  });

  it('is reported as a configuration problem: one ConfigError line, values never echoed', () => {
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: '123:SecretPart' });
    const error = (() => {
      try {
        requireFounderConsole(config, { terminal: false });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toMatch(/^FOUNDER_TELEGRAM_IDS: /);
    expect((error as ConfigError).message).not.toContain('SecretPart');
  });
});

describe('configurations that start', () => {
  const starts = (env: Record<string, string>, terminal = false) => {
    const config = loadConfig(env);
    expect(founderConsoleProblem(config, { terminal })).toBeNull();
    expect(() => requireFounderConsole(config, { terminal })).not.toThrow();
  };

  it('no chat app at all (the embedded desk, `solodesk start` with nothing configured)', () => starts({}));
  it('Telegram with its founders', () => starts({ ...telegram }));
  it('Slack with its founder channel', () => starts({ ...slack, SLACK_FOUNDER_CHANNEL: 'C123' }));
  it('Slack in Socket Mode with its founder channel', () => starts({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_FOUNDER_CHANNEL: 'C123' }));
  it('Telegram customers, the founder on Slack', () => starts({ TELEGRAM_BOT_TOKEN: '123:abc', ...slack, SLACK_FOUNDER_CHANNEL: 'C123' }));
  it('Slack customers, the founder on Telegram', () => starts({ ...telegram, ...slack }));
  it('both chat apps with both founder settings', () => starts({ ...telegram, ...slack, SLACK_FOUNDER_CHANNEL: 'C123' }));

  it('any chat app when the terminal is the console (`solodesk chat`)', () => {
    starts({ TELEGRAM_BOT_TOKEN: '123:abc' }, true);
    starts({ ...slack }, true);
    starts({ TELEGRAM_BOT_TOKEN: '123:abc', ...slack }, true);
  });

  it('WeChat customers with the founder on Slack or Telegram', () => {
    starts({ WECHATY_PUPPET: 'wechaty-puppet-mock', ...slack, SLACK_FOUNDER_CHANNEL: 'C123' });
    starts({ WECHATY_PUPPET: 'wechaty-puppet-mock', ...telegram });
  });
});
