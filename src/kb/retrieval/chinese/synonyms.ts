/**
 * Variants that customers use for the same thing, folded to one form before features are
 * made, so "如何借钱" and "怎么借款" share words and bigrams. A small, hand-written table of
 * everyday Mandarin question words and generic service verbs (not product names, not mined
 * from any benchmark): each group is a set of words a native speaker would swap freely in a
 * support question. Longer variants are folded in the text (jieba cuts "不成功" into 不 + 成功,
 * and bigrams should meet too); single characters only where jieba cuts them out as words,
 * as a character inside a longer word ("能" in "功能") means something else.
 */

/**
 * Canonical form first, then its variants. A variant must not end or start a common longer
 * word in which it means something else ("行吗" would fold "银行吗").
 */
const GROUPS: ReadonlyArray<readonly string[]> = [
  // question words
  ['怎么', '如何', '怎样', '怎么样', '咋', '咋样', '怎么着'],
  ['为什么', '为何', '为啥', '干嘛', '怎么回事', '什么原因', '啥原因', '何故'],
  ['什么时候', '何时', '几时', '啥时候', '什么时间', '哪天'],
  ['多久', '多长时间', '多少时间', '多长', '多少天'],
  ['什么', '啥', '哪些'],
  ['哪里', '哪儿', '在哪里', '在哪', '何处', '什么地方', '啥地方'],
  ['多少钱', '多少费用'],
  // can / cannot
  ['可以', '能', '能否', '能不能', '可不可以', '可否', '是否可以', '是否能'],
  ['不能', '无法', '不可以', '没法', '没办法', '不行', '不了'],
  ['没有', '没', '无'],
  ['失败', '不成功', '未成功', '没成功', '不通过', '未通过', '没通过', '没有通过', '没有成功'],
  // money and service verbs
  ['借款', '借钱', '贷款', '借贷'],
  ['还款', '还钱', '还贷', '偿还', '归还'],
  ['还清', '还完', '结清'],
  ['额度', '限额'],
  ['利息', '息'],
  ['提现', '取现', '取钱'],
  ['到账', '入账', '到帐'],
  ['账户', '帐户', '账号', '帐号'],
  ['手机号', '手机号码'],
  // the desk's number or the customer's: "电话" alone is as ambiguous as "电话号码"
  ['电话', '电话号码'],
  ['修改', '更改', '变更', '更换', '改变', '换'],
  ['取消', '关闭', '关掉', '停用', '解除'],
  ['删除', '删掉', '移除'],
  ['提高', '提升', '增加', '调高', '上调', '增大', '加大'],
  ['降低', '减少', '下降', '调低', '下调', '降了', '变少'],
  ['开通', '开启', '启用'],
  ['审核', '审批', '核实'],
  ['登录', '登陆', '登入'],
  ['查询', '查看', '查'],
  ['收到', '接到'],
  ['现在', '目前', '当前'],
  ['需要', '要', '得要'],
  ['申请', '办理'],
];

const canonical = new Map<string, string>();
for (const group of GROUPS) {
  const head = group[0] as string;
  for (const w of group) canonical.set(w, head);
}

// longest first, so that "手机号码" is folded whole rather than as "手机号" + "码"; canonical
// forms are matched too, so that no variant is found inside one
const phrases = [...canonical.keys()].filter((w) => w.length > 1).sort((a, b) => b.length - a.length);
const PHRASE = new RegExp(phrases.join('|'), 'gu');

/** Fold the multi-character variants in a run of Chinese text ("如何借钱" → "怎么借款"). */
export function foldPhrases(run: string): string {
  return run.replace(PHRASE, (m) => canonical.get(m) ?? m);
}

/** The canonical form of a word ("如何" → "怎么"), or the word itself. */
export function canonicalWord(word: string): string {
  return canonical.get(word) ?? word;
}

/** True when two words are variants of one another in the table. */
export function areSynonyms(a: string, b: string): boolean {
  return canonicalWord(a) === canonicalWord(b);
}
