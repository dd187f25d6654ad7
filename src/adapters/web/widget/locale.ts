import type { Locale } from './strings.ts';

function localeOf(tag: string | null | undefined): Locale | undefined {
  const lower = tag?.trim().toLowerCase();
  if (!lower) return undefined;
  if (lower === 'zh' || lower.startsWith('zh-') || lower.startsWith('zh_')) return 'zh';
  if (lower === 'en' || lower.startsWith('en-') || lower.startsWith('en_')) return 'en';
  return undefined;
}

/**
 * The widget's language: the host page's `data-locale` when it names one we have, else the
 * browser's language, else English. Only en and zh exist, so every other language gets English.
 */
export function chooseLocale(dataLocale: string | null | undefined, browserLanguage: string | null | undefined): Locale {
  return localeOf(dataLocale) ?? localeOf(browserLanguage) ?? 'en';
}
