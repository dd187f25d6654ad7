/**
 * How sure the bot is across a KB, in terms a founder can act on: whether the KB's own probes
 * vouch for answering by itself (and at what expected precision), and which articles need more
 * example questions. Pure: an index in, a report out.
 */
import type { AnswerThreshold } from './retrieval/answer-threshold.ts';
import type { KbIndex } from './retrieval/kb-index.ts';

/** Fewer example questions than this and an article cannot be probed well (nor matched). */
export const FEW_QUESTIONS = 3;

export interface ArticleHealth {
  articleId: string;
  title: string;
  questions: number;
  /** held-out example questions that found this article first, of those asked */
  probesRight: number;
  probesAsked: number;
  why: 'few questions' | 'questions found other articles';
}

/** The KB's own answer threshold and what it expects of it (answer-threshold.ts), and more. */
export interface KbHealth extends AnswerThreshold {
  articles: number;
  /** 'threshold': answers above the KB's own threshold; 'verbatim': repeats only; 'suggest': never by itself */
  answers: 'threshold' | 'verbatim' | 'suggest';
  assumedOutOfScopeShare: number;
  /** the probability with which precisionLowerBound holds */
  confidenceLevel: number;
  /** articles that most need example questions, worst first */
  needsQuestions: ArticleHealth[];
}

export function kbHealth(index: KbIndex): KbHealth {
  const cal = index.calibration();
  const needsQuestions: ArticleHealth[] = [];
  for (const article of index.articles()) {
    const questions = article.questions.filter((q) => q.trim()).length;
    const probe = cal.articleProbes[article.id] ?? { asked: 0, right: 0 };
    const few = questions < FEW_QUESTIONS;
    // more than half of its held-out questions went elsewhere: customers' phrasings will too
    const strays = probe.asked > 0 && probe.right * 2 < probe.asked;
    if (!few && !strays) continue;
    needsQuestions.push({
      articleId: article.id,
      title: article.title,
      questions,
      probesRight: probe.right,
      probesAsked: probe.asked,
      why: few ? 'few questions' : 'questions found other articles',
    });
  }
  needsQuestions.sort((a, b) => a.probesRight / Math.max(1, a.probesAsked) - b.probesRight / Math.max(1, b.probesAsked) || a.questions - b.questions);
  const { answer } = cal;
  return {
    articles: index.size,
    answers: answer.threshold !== null ? 'threshold' : answer.tooFewProbes ? 'verbatim' : 'suggest',
    ...answer,
    assumedOutOfScopeShare: cal.outOfScopeShare,
    confidenceLevel: 1 - index.calibrationOptions.riskControl.delta,
    needsQuestions,
  };
}
