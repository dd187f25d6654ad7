// "I want a person": English and Chinese phrasings. Short messages that are mostly the request
// itself ("human", "agent please", "转人工") count; a question that merely mentions an agent
// ("does the agent feature work?") does not.

const DIRECT = [
  /^\s*\/human\b/i,
  /\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|the\s+|some\s*)?(human|person|people|real\s+person|agent|operator|founder|owner|someone|somebody|support)\b/i,
  /\b(connect|transfer|put)\s+me\s+(to|through\s+to|with)\s+(a\s+|an\s+|the\s+)?(human|person|agent|operator|founder|someone)\b/i,
  /\b(real|live|actual)\s+(human|person|agent)\b/i,
  /\bhuman\s+(please|agent|support|being)\b/i,
  // Not a bare 人工: 人工智能 (AI) is a product question, not a request for a person.
  /转人工|人工客服|人工服务|找人工|要人工|真人客服|转接人工|接人工|联系客服|找客服|有没有人工|人工在吗/,
  /人間のオペレーター|担当者につないで/,
];
const SHORT_ONLY = /^[\s\p{P}]*(\/?human|\/?agent|operator|person|representative|founder)[\s\p{P}]*(please|pls|now)?[\s\p{P}]*$/iu;
// "人工", "真人！", "客服在吗": the whole message is the request
const SHORT_ONLY_ZH = /^[\s\p{P}]*(请|我要)?(人工|真人|客服)[\s\p{P}]*(呢|吗|在吗|在不在|谢谢)?[\s\p{P}]*$/u;

export function asksForHuman(text: string): boolean {
  const t = text.trim();
  if (t === '') return false;
  if (SHORT_ONLY.test(t) || SHORT_ONLY_ZH.test(t)) return true;
  return DIRECT.some((pattern) => pattern.test(t));
}
