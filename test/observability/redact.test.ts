import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.ts';
import { loadConfig } from '../../src/config/env.ts';
import { REDACTED, redactSecrets, registerSecrets, secretsOf } from '../../src/observability/redact.ts';
import { captureLogger } from '../support/capture-logger.ts';

// Redaction by value: a registered secret disappears from any text and from every log line,
// whatever carried it (message, error, stack, cause, nested object, URL, query string).

/** Quotes, slash, plus, ampersand and a space: every encoding differs from the raw value. */
const SECRET = 'Sw0rd/fish+"chips" & ketchup';

/** Each form a secret takes on its way into a log line. */
function formsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    encodeURI(secret),
    new URLSearchParams({ k: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('redaction by value', () => {
  it('scrubs a secret from text in each form it can take there', () => {
    registerSecrets([SECRET]);
    for (const form of formsOf(SECRET)) {
      const scrubbed = redactSecrets(`before ${form} after`);
      expect(scrubbed).toBe(`before ${REDACTED} after`);
    }
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });

  it('scrubs every log line: message, error message, stack, cause, nested values, URLs', () => {
    registerSecrets([SECRET]);
    const { logger, text, records } = captureLogger();
    const inner = new Error(`request to http://127.0.0.1:9/bot${SECRET}/getMe failed, reason: socket hang up`);
    const outer = new Error('Network request failed', { cause: inner });
    Object.assign(outer, { request: { url: `https://api.example/?key=${encodeURIComponent(SECRET)}` } });
    logger.error(
      { err: outer, header: `Bearer ${SECRET}`, deep: { deeper: { form: new URLSearchParams({ secret_token: SECRET }).toString() } } },
      `could not start with ${SECRET}`,
    );
    const written = text();
    for (const form of formsOf(SECRET)) expect(written).not.toContain(form);
    // Still one valid JSON record per line, with the secrets replaced where they were.
    const [record] = records();
    expect(record?.msg).toBe(`could not start with ${REDACTED}`);
    expect(record?.header).toBe(`Bearer ${REDACTED}`);
    expect(JSON.stringify(record?.err)).toContain(`/bot${REDACTED}/getMe`);
  });

  it('knows every secret of the configuration, and nothing else', () => {
    const env = {
      DATABASE_URL: 'postgresql://desk:p%40ss%2Fword@db.internal:5432/solodesk',
      PUBLIC_URL: 'https://desk.example.com',
      TELEGRAM_BOT_TOKEN: '123456:TelegramTokenValue_x',
      TELEGRAM_WEBHOOK_SECRET: 'telegram-webhook-secret-value',
      SLACK_BOT_TOKEN: 'xoxb-slack-bot-token-value',
      SLACK_APP_TOKEN: 'xapp-slack-app-token-value',
      SLACK_SIGNING_SECRET: 'slack-signing-secret-value',
      SLACK_FOUNDER_CHANNEL: 'CFOUNDER1',
      WECHATY_PUPPET: 'wechaty-puppet-service',
      WECHATY_PUPPET_TOKEN: 'wechaty-token-value',
      OPENAI_API_KEY: 'sk-openai-key-value',
      OPENAI_BASE_URL: 'https://llm.example.com/v1',
    };
    const secrets = secretsOf(loadConfig(env));
    for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'WECHATY_PUPPET_TOKEN', 'OPENAI_API_KEY'] as const) {
      expect(secrets, name).toContain(env[name]);
    }
    // The database password as written in the URL and as the driver sends it.
    expect(secrets).toContain('p%40ss%2Fword');
    expect(secrets).toContain('p@ss/word');
    for (const value of ['CFOUNDER1', 'https://desk.example.com', 'wechaty-puppet-service', 'https://llm.example.com/v1', 'desk']) {
      expect(secrets).not.toContain(value);
    }
  });

  it("runCommand's error line carries no secret of the loaded configuration", async () => {
    const token = '777000:RunCommandTokenValue';
    vi.stubEnv('TELEGRAM_BOT_TOKEN', token);
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    const exitCode = process.exitCode;
    try {
      await runCommand(async () => {
        throw new Error(`request to https://api.telegram.org/bot${token}/getMe failed`);
      });
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = exitCode;
    }
    expect(printed).toEqual([`solodesk: request to https://api.telegram.org/bot${REDACTED}/getMe failed`]);
  });
});
