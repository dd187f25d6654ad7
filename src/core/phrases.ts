// What the bot says to customers, in the customer's language where we can tell (English and
// Chinese for now). Kept in one place so the founder can change the voice.

export type ReplyLanguage = 'en' | 'zh';

export function replyLanguageOf(text: string): ReplyLanguage {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

const PHRASES = {
  en: {
    greeting: "Hi! Ask me anything about our product and I'll answer right away when I can; if I can't, the founder will reply here personally.",
    escalated: "Thanks — I've passed your message to the founder, who will reply here.",
    away: (when: string) => `We're away right now; expect a reply after ${when}.`,
    flood: "You've sent a lot of messages in a short time. The founder will read them all and reply here.",
    helped: 'Did this answer your question?',
    thanksFeedback: 'Thanks for the feedback!',
    sorryEscalating: "Sorry that didn't help. I've asked the founder to reply here.",
    suggestIntro: 'Did you mean one of these?',
    noneOfThese: 'None of these — talk to the founder',
    numberedPrompt: 'Reply with the number of the article, or 0 to talk to the founder.',
    staleChoice: "That list is no longer current, so I didn't act on it. Please ask your question again.",
    reopened: 'The founder has reopened this conversation.',
    rateAsk: 'How did we do? Please rate this conversation from 1 (poor) to 5 (great).',
    ratePrompt: 'Reply with a number from 1 to 5.',
    thanksRating: (score: number) => `Thanks for rating us ${score}/5! If you'd like to tell us more, just write it here.`,
    alreadyRated: "You've already rated this conversation — thank you!",
    thanksComment: "Thanks — I've passed your comment on to the founder.",
  },
  zh: {
    greeting: '您好！关于我们产品的任何问题都可以直接问我，能马上回答的我会立即回答；答不了的，创始人会亲自在这里回复您。',
    escalated: '谢谢，您的消息已转给创始人，他会在这里回复您。',
    away: (when: string) => `我们现在不在线，预计在 ${when} 之后回复。`,
    flood: '您在短时间内发送了很多消息。创始人会全部阅读并在这里回复。',
    helped: '这解答了您的问题吗？',
    thanksFeedback: '谢谢您的反馈！',
    sorryEscalating: '抱歉没能帮到您，已请创始人在这里回复。',
    suggestIntro: '您是想问以下哪一个？',
    noneOfThese: '都不是——联系创始人',
    numberedPrompt: '请回复文章编号，或回复 0 联系创始人。',
    staleChoice: '该列表已过期，未执行您的选择。请重新提问。',
    reopened: '创始人已重新打开此对话。',
    rateAsk: '我们的服务怎么样？请为本次对话打分：1（很差）到 5（很好）。',
    ratePrompt: '请回复 1 到 5 之间的数字。',
    thanksRating: (score: number) => `谢谢您打出 ${score}/5 分！如果还想补充什么，直接在这里写下即可。`,
    alreadyRated: '您已经为本次对话打过分了，谢谢！',
    thanksComment: '谢谢，您的意见已转给创始人。',
  },
} as const;

export function phrases(language: ReplyLanguage) {
  return PHRASES[language];
}
