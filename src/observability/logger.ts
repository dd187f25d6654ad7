import { pino, type Logger } from 'pino';
import { redactJsonLine } from './redact.ts';

// The one logger. Secrets are redacted twice: by key wherever they appear in a logged object,
// and by value on the final line (redact.ts), which also catches a secret inside a message, a
// URL or an SDK's error. Tokens must still never be interpolated into messages on purpose.
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'secret',
  'secretToken',
  'apiKey',
  'password',
  'authorization',
  'databaseUrl',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'OPENAI_API_KEY',
  'WECHATY_PUPPET_TOKEN',
  'DATABASE_URL',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const paths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers["${key.toLowerCase()}"]`]);
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths, censor: '[redacted]' },
      base: { service: 'solodesk' },
      hooks: { streamWrite: redactJsonLine },
    },
    options.destination ?? process.stderr,
  );
}

export type { Logger };
