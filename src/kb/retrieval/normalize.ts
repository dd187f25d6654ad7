/**
 * Text normalisation applied before segmentation: Unicode NFKC (full-width → half-width,
 * compatibility forms), lower case, common traditional Chinese characters folded to their
 * simplified form, and inputs truncated to a bounded length so that a 100 KB message
 * cannot blow up latency.
 */

/** Characters kept from an input; longer inputs are cut (on purpose) before any work. */
export const MAX_INPUT_CHARS = 2_000;

// Traditional → simplified for characters frequent in customer-support text. Not a full
// OpenCC table: a cheap fold that makes 帳號/账号, 訂單/订单, 退貨/退货 meet.
const TRADITIONAL = '們個這來時為會說對國後過還點與開關問題號碼帳戶賬單訂購買賣錢貨幣運輸寄郵電話線網頁務費價錄登註冊變換預約資訊聯繫請讓給認證護實際當麼沒現發處理應該錯誤離擇選項確額額備機壞網絡碼帶動態與從幫將進場讀寫訊義級優惠劵碼續紀錄寶轉賬銀卡儲值結帳計劃間斷損傷憑據護照歲齡員體驗順序標準檢查圖際專業氣車門區總戶頭記憶條紙張語許頁無滿樂東師長區書難節';
const SIMPLIFIED = '们个这来时为会说对国后过还点与开关问题号码账户账单订购买卖钱货币运输寄邮电话线网页务费价录登注册变换预约资讯联系请让给认证护实际当么没现发处理应该错误离择选项确额额备机坏网络码带动态与从帮将进场读写讯义级优惠券码续纪录宝转账银卡储值结账计划间断损伤凭据护照岁龄员体验顺序标准检查图际专业气车门区总户头记忆条纸张语许页无满乐东师长区书难节';

const foldTable: Map<string, string> = (() => {
  const table = new Map<string, string>();
  const from = [...TRADITIONAL];
  const to = [...SIMPLIFIED];
  const n = Math.min(from.length, to.length);
  for (let i = 0; i < n; i++) {
    const f = from[i];
    const t = to[i];
    if (f !== undefined && t !== undefined && f !== t) table.set(f, t);
  }
  return table;
})();

const HAS_FOLDABLE = new RegExp(`[${[...foldTable.keys()].join('')}]`, 'u');

/** Fold traditional Chinese characters to simplified ones (common characters only). */
export function foldChinese(text: string): string {
  if (!HAS_FOLDABLE.test(text)) return text;
  let out = '';
  for (const ch of text) out += foldTable.get(ch) ?? ch;
  return out;
}

/** NFKC + lower case + Chinese fold + apostrophe unification, after truncation. */
export function normalizeText(text: string): string {
  const cut = text.length > MAX_INPUT_CHARS ? text.slice(0, MAX_INPUT_CHARS) : text;
  return foldChinese(
    cut
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc`´]/gu, "'"),
  );
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;

/** True when a segment is written in Chinese or Japanese script (no spaces between words). */
export function isCjk(segment: string): boolean {
  return CJK.test(segment);
}

/** True when a segment is Korean (spaced, but with agglutinated particles). */
export function isHangul(segment: string): boolean {
  return HANGUL.test(segment);
}
