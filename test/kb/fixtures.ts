import type { IndexedArticle } from '../../src/kb/retrieval/index.ts';

export const englishArticles: IndexedArticle[] = [
  { id: 'reset-password', title: 'Reset your password', body: 'Open Settings, choose Security and press "Reset password". We email you a link.', questions: ['How do I reset my password?', 'I forgot my password', 'Cannot log in, password is wrong', 'How to change my login password'], tags: [] },
  { id: 'refund', title: 'Refunds', body: 'Refunds are sent to the original payment method within 5 business days.', questions: ['When will I get my refund?', 'My refund has not arrived', 'How long does a refund take?', 'I want my money back'], tags: [] },
  { id: 'shipping', title: 'Shipping times', body: 'Orders ship within 2 days; delivery takes 3 to 7 days.', questions: ['Where is my order?', 'How long does delivery take?', 'My parcel has not been delivered', 'Track my package'], tags: [] },
  { id: 'cancel-subscription', title: 'Cancel your subscription', body: 'You can cancel any time from the Billing page.', questions: ['How do I cancel my subscription?', 'Stop my plan', 'I want to unsubscribe', 'End my membership'], tags: [] },
  { id: 'invoice', title: 'Download an invoice', body: 'Invoices are in Billing → Invoices as PDF.', questions: ['Where can I find my invoice?', 'I need a receipt for my payment', 'Download invoice PDF', 'Send me a VAT invoice'], tags: [] },
];

/** A small handwritten Chinese support KB (simplified), 8 articles. */
export const chineseArticles: IndexedArticle[] = [
  { id: 'zh-password', title: '重置密码', body: '在设置页面点击“忘记密码”，我们会发送验证码到您的手机。', questions: ['怎么重置密码？', '我忘记密码了', '登录密码不对怎么办', '如何修改登录密码'], tags: [], language: 'zh' },
  { id: 'zh-refund', title: '退款说明', body: '退款会在五个工作日内原路返回。', questions: ['退款什么时候到账？', '我的退款还没有收到', '退款需要多久', '怎么申请退款'], tags: [], language: 'zh' },
  { id: 'zh-shipping', title: '物流与配送', body: '订单两天内发货，快递三到七天送达。', questions: ['我的快递到哪了？', '什么时候发货', '包裹一直没有送到', '怎么查询物流信息'], tags: [], language: 'zh' },
  { id: 'zh-invoice', title: '开具发票', body: '在订单详情页可以申请电子发票。', questions: ['怎么开发票？', '我需要增值税发票', '发票在哪里下载', '可以开公司抬头的发票吗'], tags: [], language: 'zh' },
  { id: 'zh-cancel', title: '取消订阅', body: '在会员中心可以随时取消自动续费。', questions: ['怎么取消自动续费？', '我不想再订阅了', '如何退订会员', '关闭自动扣费'], tags: [], language: 'zh' },
  { id: 'zh-account', title: '注销账号', body: '注销账号后数据无法恢复。', questions: ['怎么注销账号？', '我想删除我的账户', '如何永久删除账号', '账号注销需要多久'], tags: [], language: 'zh' },
  { id: 'zh-phone', title: '更换绑定手机号', body: '在安全设置中可以更换绑定的手机号码。', questions: ['怎么换绑手机号？', '手机号不用了怎么办', '如何修改绑定的手机', '收不到验证码因为换了手机号'], tags: [], language: 'zh' },
  { id: 'zh-coupon', title: '优惠券使用', body: '优惠券在结算时自动抵扣，过期无法使用。', questions: ['优惠券怎么用？', '为什么优惠券不能使用', '优惠券过期了怎么办', '下单时怎么选择优惠券'], tags: [], language: 'zh' },
];

export const chineseQueries: Array<{ text: string; expected: string }> = [
  { text: '密码忘了，怎么重置', expected: 'zh-password' },
  { text: '退款多久能到账', expected: 'zh-refund' },
  { text: '快递怎么还没送到', expected: 'zh-shipping' },
  { text: '请问怎么申请发票', expected: 'zh-invoice' },
  { text: '我要取消自动续费', expected: 'zh-cancel' },
  { text: '如何删除账号', expected: 'zh-account' },
  { text: '我换了手机号，怎么改绑定', expected: 'zh-phone' },
  { text: '优惠券为什么用不了', expected: 'zh-coupon' },
  { text: '訂單的發票怎麼開', expected: 'zh-invoice' },
];
