import type { ArticleView, KnowledgeBase } from '../../kb/knowledge-base.ts';
import { DEFAULT_GAP_WINDOW_MS } from '../insight/kb-gaps.ts';
import type { FounderActions, KbGapGroup } from '../ports.ts';
import type { HelpMarkup } from './help.ts';
import { percent } from './notice-view.ts';

// `/kb search|show|list|gaps` for every founder console: one behaviour (tags lowercased, the same
// ranking marks), returned as data with its words; consoles only mark it up.

export const KB_WORDS = {
  searchUsage: '/kb search <text>',
  showUsage: '/kb show <slug>',
  usage: 'Usage:',
  decision: 'Decision',
  confidence: 'confidence',
  noMatch: 'No published article matched.',
  noArticle: 'No article',
  tryList: 'Try /kb list.',
  empty: 'The knowledge base is empty.',
  taggedNone: 'No article tagged',
  tagged: 'tagged',
  questions: 'Example questions',
  noQuestions: 'No example questions.',
  marks: { answer: '← answer', suggested: '← suggested' },
  gapsHeading: 'Questions no article answered',
  noGaps: 'No gaps: every escalated question of this period had an article, or asked for a person.',
  writeArticle: 'Write article',
} as const;

/** `/kb gaps` looks this far back (the command line takes --since). */
export const GAPS_WINDOW_DAYS = DEFAULT_GAP_WINDOW_MS / 86_400_000;
/** Groups and example questions a console shows (the command line shows every group). */
export const GAPS_SHOWN = 10;
export const GAP_EXAMPLES_SHOWN = 3;

const SEARCH_SHOWN = 5;
const LIST_SHOWN = 50;

export interface KbSearchRow {
  rank: number;
  title: string;
  slug: string;
  percent: string;
  score: string;
  /** `← answer` for the article the bot would answer with, `← suggested` for one it would offer. */
  mark: string | null;
}

export type KbCommandResult =
  | { kind: 'usage'; usage: string }
  | { kind: 'search'; query: string; decision: 'answer' | 'suggest' | 'escalate'; confidence: string; rows: KbSearchRow[] }
  | { kind: 'show'; article: ArticleView }
  | { kind: 'not_found'; slug: string }
  | { kind: 'list'; tag: string | null; articles: ArticleView[]; more: number }
  /** Escalated questions no article answered, grouped by meaning, biggest group first. */
  | { kind: 'gaps'; days: number; groups: KbGapGroup[] }
  /** Not one of the shared subcommands: the console shows its help (or handles its own ones). */
  | { kind: 'help'; sub: string; argument: string };

/** `sub` is the first word after `/kb`, `argument` the rest; `founder` reads the gaps (`/kb gaps`). */
export async function runKbCommand(
  kb: KnowledgeBase,
  sub: string,
  argument: string,
  founder?: Pick<FounderActions, 'kbGaps'>,
): Promise<KbCommandResult> {
  const rest = argument.trim();
  switch (sub.toLowerCase()) {
    case 'search':
      return rest === '' ? { kind: 'usage', usage: KB_WORDS.searchUsage } : search(kb, rest);
    case 'show': {
      if (rest === '') return { kind: 'usage', usage: KB_WORDS.showUsage };
      const article = await kb.getBySlug(rest);
      return article === null ? { kind: 'not_found', slug: rest } : { kind: 'show', article };
    }
    case 'list': {
      // Tags are stored lowercased: a founder typing "Billing" means the same tag.
      const tag = rest === '' ? null : rest.toLowerCase();
      const articles = await kb.list(tag !== null ? { tag } : undefined);
      return { kind: 'list', tag, articles: articles.slice(0, LIST_SHOWN), more: Math.max(0, articles.length - LIST_SHOWN) };
    }
    case 'gaps':
      if (founder === undefined) break;
      return { kind: 'gaps', days: GAPS_WINDOW_DAYS, groups: await founder.kbGaps() };
    default:
      break;
  }
  return { kind: 'help', sub: sub.toLowerCase(), argument: rest };
}

function questionCount(n: number): string {
  return `${n} question${n === 1 ? '' : 's'}`;
}

/** `Questions no article answered (last 30 days): 3 groups, 7 questions` */
export function gapsHeadline(days: number, groups: readonly KbGapGroup[]): string {
  const questions = groups.reduce((n, g) => n + g.size, 0);
  return `${KB_WORDS.gapsHeading} (last ${days} days): ${groups.length} group${groups.length === 1 ? '' : 's'}, ${questionCount(questions)}`;
}

/** `3 questions`, the group's size as a console labels it. */
export function gapGroupLabel(group: KbGapGroup): string {
  return questionCount(group.size);
}

/** `/kb gaps` as lines of text, for consoles without buttons (Telegram, the command line). */
export function gapsLines(m: HelpMarkup, days: number, groups: readonly KbGapGroup[], shown = GAPS_SHOWN, examples = GAP_EXAMPLES_SHOWN): string[] {
  if (groups.length === 0) return [m.text(KB_WORDS.noGaps)];
  const lines = [m.text(gapsHeadline(days, groups))];
  groups.slice(0, shown).forEach((g, i) => {
    lines.push(m.text(`${i + 1}. ${gapGroupLabel(g)}`));
    for (const q of g.examples.slice(0, examples)) lines.push(`   • ${m.text(q)}`);
  });
  if (groups.length > shown) lines.push(m.text(`… and ${groups.length - shown} more groups`));
  return lines;
}

async function search(kb: KnowledgeBase, query: string): Promise<KbCommandResult> {
  const { decision, ranked } = await kb.decide(query);
  const rows = ranked.slice(0, SEARCH_SHOWN).map((r, i): KbSearchRow => ({
    rank: i + 1,
    title: r.article.title,
    slug: r.article.slug,
    percent: percent(r.confidence),
    score: r.score.toFixed(2),
    mark: r.article.id === decision.articleId ? KB_WORDS.marks.answer : decision.suggestions.includes(r.article.id) ? KB_WORDS.marks.suggested : null,
  }));
  return { kind: 'search', query, decision: decision.outcome, confidence: percent(decision.confidence), rows };
}

/** `3 articles` / `1 article`. */
export function articleCount(n: number): string {
  return `${n} article${n === 1 ? '' : 's'}`;
}
