/**
 * How much a Chinese word says about what a question is about, from outside the KB: a KB with
 * one example question per article sees most words once, so its own document frequencies
 * cannot tell "额度" from "我". jieba ships the inverse document frequencies of its general
 * corpus (idf.txt, ~270k words); a short list of greetings and particles adds what a news
 * corpus gets wrong about customer messages ("你好" is rare in news, empty in a support chat).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * IDF at and above which a word counts as a topic word (weight 1): one document in e^9 ≈ 8,000
 * of jieba's corpus. Only the ~21k more common words of the table's 270k need to be kept, which
 * makes loading it ~15 times faster than reading it whole (70 ms against 1 s on a busy machine);
 * weighting by min(idf, 9) rather than by the whole table (relative to its median, 11.95) moved
 * top1 by 0.5 points (0.280 → 0.275 on bq-zh-dev-300: 4 of 790 queries; none on bq-zh-young-30).
 */
export const TOPIC_IDF = 9;

let idfTable: Map<string, number> | null = null;

function table(): Map<string, number> {
  if (!idfTable) {
    const { idf } = require('@node-rs/jieba/dict.js') as typeof import('@node-rs/jieba/dict.js');
    const text = Buffer.from(idf).toString('utf8');
    const t = new Map<string, number>();
    // lines are "word idf"; a value below 10 has a '.' two characters after the space
    for (let at = 0; at < text.length; ) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const space = text.lastIndexOf(' ', end);
      if (space > at && text.charCodeAt(space + 2) === 0x2e) {
        const v = Number(text.slice(space + 1, end));
        if (v < TOPIC_IDF) t.set(text.slice(at, space), v);
      }
      at = end + 1;
    }
    idfTable = t;
  }
  return idfTable;
}

/** jieba's general-corpus IDF of a word, capped at TOPIC_IDF (also for words it does not know). */
export function generalIdf(word: string): number {
  return table().get(word) ?? TOPIC_IDF;
}

/**
 * Words that carry no topic in a customer question: sentence-final and structural particles,
 * personal pronouns, greetings and politeness. Kept short on purpose: function words that can
 * change a question's meaning ("不", "没", "过" as in 过审批, "对" as in 身份不对) are left to
 * the IDF weighting instead.
 */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    '的 了 吗 呢 吧 啊 呀 嘛 哦 哈 么 之 地 ' +
    '我 你 您 他 她 它 我们 你们 他们 咱 俺 ' +
    '这个 那个 一个 一下 ' +
    '你好 您好 请问 请 谢谢 麻烦 呵呵 嗯 好的 亲'
  ).split(' '),
);
