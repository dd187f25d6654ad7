import { pino, type Logger } from 'pino';

// Secrets are redacted by key wherever they appear in a logged object; tokens must never be
// interpolated into messages in the first place.
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
    },
    options.destination ?? process.stderr,
  );
}

export type { Logger };
