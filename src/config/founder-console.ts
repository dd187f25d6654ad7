import type { Config } from './env.ts';

/**
 * Where the founder reads escalations and answers them, chosen once from the configuration:
 * a Slack channel when SLACK_FOUNDER_CHANNEL is set, else Telegram private chats when
 * FOUNDER_TELEGRAM_IDS is set, else none here (the terminal takes the role when it runs one).
 * Slack customers alone do not make Slack the console: with SLACK_BOT_TOKEN and
 * FOUNDER_TELEGRAM_IDS but no SLACK_FOUNDER_CHANNEL, the founder is on Telegram.
 */
export type FounderConsole = 'slack' | 'telegram' | null;

export function founderConsoleOf(config: Pick<Config, 'slack' | 'telegram'>): FounderConsole {
  if (config.slack?.founderChannel !== undefined) return 'slack';
  if (config.telegram !== undefined && config.telegram.founderIds.length > 0) return 'telegram';
  return null;
}
