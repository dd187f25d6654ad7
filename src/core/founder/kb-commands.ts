import type { ArticleView, KnowledgeBase } from '../../kb/knowledge-base.ts';
import { percent } from './notice-view.ts';

// `/kb search|show|list` for every founder console: one behaviour (tags lowercased, the same
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
} as const;

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
  /** Not one of the shared subcommands: the console shows its help (or handles its own ones). */
  | { kind: 'help'; sub: string; argument: string };

/** `sub` is the first word after `/kb`, `argument` the rest. */
export async function runKbCommand(kb: KnowledgeBase, sub: string, argument: string): Promise<KbCommandResult> {
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
    default:
      return { kind: 'help', sub: sub.toLowerCase(), argument: rest };
  }
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
