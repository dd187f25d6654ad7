import { ConfigError } from '../errors.ts';
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

/**
 * Why this configuration must not start, as one line naming the variables; null when it may.
 * A chat app that lets customers in with no founder console to escalate to would answer what the
 * KB knows and leave every other question pending, unseen, for as long as it runs (and WeChat's
 * login QR code would have nowhere to go). The terminal is a console of its own (`solodesk chat`,
 * `solodesk start` on a terminal with no chat app), so with one there is nothing to refuse.
 */
export function founderConsoleProblem(config: Pick<Config, 'slack' | 'telegram' | 'wechaty' | 'wechatOfficial' | 'wecom'> & Partial<Pick<Config, 'web'>>, options: { terminal: boolean }): string | null {
  if (options.terminal || founderConsoleOf(config) !== null) return null;
  // The web chat is on by default for its demo page; embedded on a site of the founder's
  // (WEB_ALLOWED_ORIGINS) it lets customers in like any chat app.
  const webCustomers = (config.web?.allowedOrigins.length ?? 0) > 0;
  const customers = [config.telegram && 'TELEGRAM_BOT_TOKEN', config.slack && 'SLACK_BOT_TOKEN', config.wechaty && 'WECHATY_PUPPET', config.wechatOfficial && 'WECHAT_OA_APP_ID', config.wecom && 'WECOM_CORP_ID', webCustomers && 'WEB_ALLOWED_ORIGINS']
    .filter((name): name is string => Boolean(name));
  if (customers.length === 0) return null;
  const why = `${customers.join(' and ')} ${customers.length > 1 ? 'let' : 'lets'} customers in, but no founder console would see their escalations`;
  if (config.slack === undefined && config.telegram !== undefined) {
    return `FOUNDER_TELEGRAM_IDS: ${why}; set FOUNDER_TELEGRAM_IDS to your Telegram user id, or SLACK_BOT_TOKEN with SLACK_FOUNDER_CHANNEL`;
  }
  if (config.slack !== undefined && config.telegram === undefined) {
    return `SLACK_FOUNDER_CHANNEL: ${why}; set SLACK_FOUNDER_CHANNEL to your private channel's id, or TELEGRAM_BOT_TOKEN with FOUNDER_TELEGRAM_IDS`;
  }
  if (config.slack !== undefined) {
    return `SLACK_FOUNDER_CHANNEL: ${why}; set SLACK_FOUNDER_CHANNEL to your private channel's id, or FOUNDER_TELEGRAM_IDS to your Telegram user id`;
  }
  // WeChat or the web chat alone: the founder console must be another app.
  return `SLACK_FOUNDER_CHANNEL: ${why}; set SLACK_BOT_TOKEN with SLACK_FOUNDER_CHANNEL, or TELEGRAM_BOT_TOKEN with FOUNDER_TELEGRAM_IDS, for the founder's console`;
}

/** Throws the problem above the way every configuration problem is reported (one line, exit 1). */
export function requireFounderConsole(config: Pick<Config, 'slack' | 'telegram' | 'wechaty' | 'wechatOfficial' | 'wecom'> & Partial<Pick<Config, 'web'>>, options: { terminal: boolean }): void {
  const problem = founderConsoleProblem(config, options);
  if (problem !== null) throw new ConfigError([problem]);
}
