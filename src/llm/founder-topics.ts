// Topics the founder answers in person, whatever the knowledge base says: a draft touching one
// (in the customer's message or in the draft itself) is never sent on its own. Money, anger and
// the law are where a wrong automatic answer costs most; a customer who asks for a person gets one.

export interface FounderTopic {
  /** Short name shown to the founder ("refund"). */
  name: string;
  /**
   * Latin-script terms match as whole words, case-insensitively, plural and -ed/-ing forms
   * included; Chinese terms match anywhere; a RegExp is used as given.
   */
  terms: Array<string | RegExp>;
}

export const DEFAULT_FOUNDER_TOPICS: readonly FounderTopic[] = [
  {
    name: 'human asked for',
    terms: ['human', 'real person', 'live agent', 'talk to someone', 'speak to someone', 'founder', '人工', '真人', '老板', '负责人'],
  },
  { name: 'refund', terms: ['refund', 'money back', 'reimburse', 'reimbursement', '退款', '退钱', '退费', '返还'] },
  { name: 'complaint', terms: ['complaint', 'complain', 'unacceptable', 'scam', '投诉', '举报', '差评', '骗子'] },
  {
    name: 'legal',
    terms: ['lawyer', 'attorney', 'lawsuit', 'sue', 'sued', 'suing', 'legal action', 'court', 'small claims',
      '律师', '起诉', '法院', '诉讼', '法律', '消协', '消费者协会', '12315'],
  },
  { name: 'payment dispute', terms: ['chargeback', 'dispute', 'fraud', 'stolen card', '拒付', '盗刷', '欺诈'] },
  {
    name: 'account closure',
    terms: ['cancel my account', 'close my account', 'delete my account', 'delete my data', 'cancel my subscription',
      '注销', '销户', '删除账号', '删除我的账号', '取消订阅'],
  },
];

/** The names of the topics `texts` touch, in the order the topics are listed. */
export function founderTopicsIn(texts: readonly string[], topics: readonly FounderTopic[] = DEFAULT_FOUNDER_TOPICS): string[] {
  const text = texts.map((t) => t.normalize('NFKC')).join('\n');
  return topics.filter((topic) => topic.terms.some((term) => matcherOf(term).test(text))).map((topic) => topic.name);
}

const cache = new Map<string, RegExp>();

function matcherOf(term: string | RegExp): RegExp {
  if (term instanceof RegExp) return new RegExp(term.source, term.flags.replace('g', ''));
  let regex = cache.get(term);
  if (regex === undefined) {
    const escaped = term.normalize('NFKC').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
    // A Latin word must stand alone ("sue" is not in "issue"); Chinese has no spaces to find.
    regex = /^[\p{Script=Latin}\d\s'-]+$/u.test(term)
      ? new RegExp(`(?<![\\p{L}\\d])${escaped}(?:s|es|ed|d|ing)?(?![\\p{L}\\d])`, 'iu')
      : new RegExp(escaped, 'u');
    cache.set(term, regex);
  }
  return regex;
}
