import type { KbDecision } from './decision.ts';

// What the rest of Solodesk asks of the knowledge base. Implemented by KnowledgeBaseService
// (articles in the database, an in-memory index kept in step with it).

export type ArticleStatus = 'draft' | 'published' | 'archived';

export interface ArticleView {
  id: string;
  slug: string;
  title: string;
  body: string;
  questions: string[];
  tags: string[];
  language: string;
  status: ArticleStatus;
  version: number;
  author: string | null;
  updatedAt: Date;
}

export interface ArticleInput {
  title: string;
  body: string;
  questions?: string[];
  tags?: string[];
  language?: string;
  status?: ArticleStatus;
  /** Derived from the title when not given. */
  slug?: string;
}

export interface RevisionView {
  version: number;
  title: string;
  body: string;
  questions: string[];
  tags: string[];
  status: ArticleStatus;
  author: string | null;
  change: string;
  createdAt: Date;
}

export interface RankedArticle {
  article: ArticleView;
  score: number;
  confidence: number;
}

export interface KbAnswer {
  decision: KbDecision;
  /** The decision's candidates with their articles, best first. */
  ranked: RankedArticle[];
}

export interface KnowledgeBase {
  /** The one answer / suggest / escalate decision, over published articles. */
  decide(text: string): Promise<KbAnswer>;
  getBySlug(slug: string): Promise<ArticleView | null>;
  getById(id: string): Promise<ArticleView | null>;
  list(filter?: { tag?: string; status?: ArticleStatus }): Promise<ArticleView[]>;
  create(input: ArticleInput, actor: string): Promise<ArticleView>;
  createMany(inputs: ArticleInput[], actor: string): Promise<ArticleView[]>;
  update(slug: string, patch: Partial<ArticleInput>, actor: string, change?: string): Promise<ArticleView>;
  archive(slug: string, actor: string): Promise<ArticleView>;
  history(slug: string): Promise<RevisionView[]>;
  /** Teaches the KB a customer phrasing; a no-op when the article already has it. */
  addExampleQuestion(articleId: string, question: string, actor: string): Promise<ArticleView>;
}
