/** Every text the widget shows, one table per language: a new language is one more table. */
export type Locale = 'en' | 'zh';

export interface WidgetStrings {
  launcher: string;
  title: string;
  inputLabel: string;
  inputPlaceholder: string;
  send: string;
  close: string;
  sending: string;
  notSentRetry: string;
  offline: string;
  reconnecting: string;
  originNotAllowed: string;
  identityInvalid: string;
  authorCustomer: string;
  authorBot: string;
  authorFounder: string;
}

export const STRINGS: Record<Locale, WidgetStrings> = {
  en: {
    launcher: 'Chat with us',
    title: 'Support',
    inputLabel: 'Type your message',
    inputPlaceholder: 'Type your message…',
    send: 'Send',
    close: 'Close chat',
    sending: 'Sending…',
    notSentRetry: 'Not sent — tap to retry',
    offline: 'Offline — your messages will be sent when you are back online',
    reconnecting: 'Reconnecting…',
    originNotAllowed: 'Chat is not available on this site.',
    identityInvalid: 'We could not verify your account.',
    authorCustomer: 'You',
    authorBot: 'Assistant',
    authorFounder: 'Support team',
  },
  zh: {
    launcher: '联系我们',
    title: '客服',
    inputLabel: '输入消息',
    inputPlaceholder: '输入消息…',
    send: '发送',
    close: '关闭聊天',
    sending: '发送中…',
    notSentRetry: '未发送 — 点击重试',
    offline: '离线 — 恢复网络后将发送你的消息',
    reconnecting: '正在重新连接…',
    originNotAllowed: '此网站无法使用聊天。',
    identityInvalid: '无法验证你的账户。',
    authorCustomer: '你',
    authorBot: '助手',
    authorFounder: '客服团队',
  },
};
