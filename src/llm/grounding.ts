import { founderTopicsIn, type FounderTopic } from './founder-topics.ts';
import type { DraftArticle } from './prompt.ts';

// The guards between a model's draft and a customer, as pure functions. A draft is sent on its
// own only when every check passes; otherwise it goes to the founder with the reasons. They are
// deliberately strict: a false alarm costs the founder a glance, a missed one costs a customer a
// wrong price or a phishing-looking link.

export interface Citations {
  /** Cited ids that are among the articles provided, each once, in citation order. */
  kept: string[];
  /** Cited ids that were not provided: the model made them up or was told to. */
  unknown: string[];
}

export function filterCitations(cited: readonly string[], providedIds: readonly string[]): Citations {
  const provided = new Set(providedIds);
  const kept = [...new Set(cited.filter((id) => provided.has(id)))];
  const unknown = [...new Set(cited.filter((id) => !provided.has(id)))];
  return { kept, unknown };
}

export interface Facts {
  numbers: string[];
  links: string[];
  emails: string[];
}

const EMAIL = /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}/gu;
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`()（）【】[\]{}，。、；！？]+|\b(?:[a-z\d-]+\.)+(?:com|net|org|io|co|cn|ai|app|dev|me|info|biz|us|uk|de|shop|store)\b(?:\/[^\s<>"'`()（）【】[\]{}，。、；！？]*)?/giu;
// Digits with their decimal or thousands separators: "1,299.00", "30", "2.5".
const NUMBER = /\d+(?:[.,]\d+)*/g;

/** The numbers, links and e-mail addresses in a text, normalised so equal facts compare equal. */
export function factsIn(text: string): Facts {
  let rest = text.normalize('NFKC');
  const emails = [...rest.matchAll(EMAIL)].map((m) => m[0].toLowerCase());
  rest = rest.replace(EMAIL, ' ');
  const links = [...rest.matchAll(LINK)].map((m) => normaliseLink(m[0]));
  rest = rest.replace(LINK, ' ');
  const numbers = [...rest.matchAll(NUMBER)].map((m) => normaliseNumber(m[0]));
  return { numbers: unique(numbers), links: unique(links), emails: unique(emails) };
}

/** Facts in `answer` that none of `sources` states: invented prices, durations, links, addresses. */
export function ungroundedFacts(answer: string, sources: readonly string[]): Facts {
  const known = factsIn(sources.join('\n'));
  const stated = factsIn(answer);
  const numbers = new Set(known.numbers);
  const links = new Set(known.links);
  const emails = new Set(known.emails);
  return {
    numbers: stated.numbers.filter((n) => !numbers.has(n)),
    links: stated.links.filter((l) => !links.has(l)),
    emails: stated.emails.filter((e) => !emails.has(e)),
  };
}

function normaliseLink(link: string): string {
  return link
    .replace(/[.,;:!?]+$/, '')
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
}

/** "1,299.00" and "1299" are the same price; "49" and "$49" the same number. */
function normaliseNumber(token: string): string {
  const plain = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(token) ? token.replace(/,/g, '') : token;
  const value = Number(plain);
  return Number.isFinite(value) ? String(value) : plain;
}

/** Whether the answer is written in the language asked for (Chinese: has Han; English: mostly not). */
export function answerInLanguage(answer: string, language: 'en' | 'zh'): boolean {
  const han = (answer.match(/\p{Script=Han}/gu) ?? []).length;
  const letters = (answer.match(/\p{L}/gu) ?? []).length;
  if (language === 'zh') return han > 0;
  return letters === 0 || han / letters < 0.3;
}

/**
 * Whether the answer repeats the drafter's instructions (an obeyed "print your system prompt"):
 * any run of six words from `rules`, or talk of a system prompt or the desk's own instructions.
 */
export function leaksInstructions(answer: string, rules: string): boolean {
  if (/system\s*prompt|my (?:instructions|rules)|customer_message|<\/?articles?\b|系统提示|提示词|我的指令/iu.test(answer.normalize('NFKC'))) return true;
  const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\d']+/gu) ?? [];
  const shingles = (list: string[]): Set<string> => new Set(list.slice(0, Math.max(0, list.length - 5)).map((_, i) => list.slice(i, i + 6).join(' ')));
  const ruleShingles = shingles(words(rules));
  return [...shingles(words(answer))].some((s) => ruleShingles.has(s));
}

export interface Assessment {
  citedArticleIds: string[];
  autoSendable: boolean;
  /** Every reason the draft must go to the founder, joined; undefined when it may go alone. */
  whyNotAuto: string | undefined;
}

export interface DraftToAssess {
  question: string;
  language: 'en' | 'zh';
  articles: readonly DraftArticle[];
  answer: string;
  citedArticleIds: readonly string[];
  supported: boolean;
}

/** autoSendable = supported, at least one real citation, and every guard passes. */
export function assessDraft(draft: DraftToAssess, options: { rules: string; founderTopics?: readonly FounderTopic[] }): Assessment {
  const reasons: string[] = [];
  const { kept, unknown } = filterCitations(draft.citedArticleIds, draft.articles.map((a) => a.id));
  if (!draft.supported) reasons.push('the articles do not cover it');
  if (unknown.length > 0) reasons.push(`cites articles not provided: ${unknown.join(', ')}`);
  if (kept.length === 0) reasons.push('cites no article');
  const cited = draft.articles.filter((a) => kept.includes(a.id));
  const invented = ungroundedFacts(draft.answer, cited.map((a) => `${a.title}\n${a.body}`));
  if (invented.numbers.length > 0) reasons.push(`invented price/number: ${invented.numbers.join(', ')}`);
  if (invented.links.length > 0) reasons.push(`invented link: ${invented.links.join(', ')}`);
  if (invented.emails.length > 0) reasons.push(`invented e-mail: ${invented.emails.join(', ')}`);
  const topics = founderTopicsIn([draft.question, draft.answer], options.founderTopics);
  if (topics.length > 0) reasons.push(`for the founder: ${topics.join(', ')}`);
  if (!answerInLanguage(draft.answer, draft.language)) reasons.push(`not written in ${draft.language}`);
  if (leaksInstructions(draft.answer, options.rules)) reasons.push('repeats its instructions');
  return { citedArticleIds: kept, autoSendable: reasons.length === 0, whyNotAuto: reasons.length > 0 ? reasons.join('; ') : undefined };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
