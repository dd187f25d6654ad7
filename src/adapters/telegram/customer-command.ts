import { customerSearchView, profileSections } from '../../core/customers/profile-view.ts';
import type { FounderActions } from '../../core/ports.ts';
import { escapeHtml, packHtmlParagraphs, TELEGRAM_TEXT_LIMIT, type TelegramChunk } from './format.ts';

// `/customer <name|id>` for founders on Telegram: the core's profile view (core/customers/
// profile-view.ts) as Telegram HTML. The words and what is shown are the core's.

export async function customerCommand(founder: Pick<FounderActions, 'findCustomers'>, query: string): Promise<TelegramChunk[]> {
  const view = customerSearchView(query, query.trim() === '' ? [] : await founder.findCustomers(query));
  switch (view.kind) {
    case 'usage':
    case 'none':
      return packHtmlParagraphs([escapeHtml(view.text)]);
    case 'several':
      return packHtmlParagraphs([`👥 ${escapeHtml(view.heading)}`, ...view.lines.map((l) => `• ${escapeHtml(l)}`)], TELEGRAM_TEXT_LIMIT, '\n');
    case 'one': {
      const { title, sections } = profileSections(view.profile);
      return packHtmlParagraphs([
        `👤 <b>${escapeHtml(title)}</b>`,
        ...sections.map((s) => `<b>${escapeHtml(s.heading)}</b>\n${s.items.map(escapeHtml).join('\n')}`),
      ]);
    }
  }
}
