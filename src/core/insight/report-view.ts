import type { ReportView } from '../ports.ts';
import type { Report } from './report.ts';
import type { Breakdown, DurationSummary, Share } from './report-figures.ts';

// A report as words: a title and sections of plain lines, the same for every console. The
// terminal prints them as they are; Slack and Telegram only mark up the title and headings.

export type { ReportView };

export function viewReport(report: Report): ReportView {
  const sections: ReportView['sections'] = [
    {
      lines: [
        `Conversations: ${report.conversations}`,
        `Answered by the bot alone: ${share(report.answeredByBot)}`,
        `Offered a "did you mean" list: ${share(report.suggested)}; picked from it: ${share(report.picked)}`,
        `Escalated to the founder: ${share(report.escalated)}`,
      ],
    },
    {
      heading: 'Response times',
      lines: [
        `First response: ${durations(report.firstResponse, report.businessHours)}`,
        `Founder response: ${durations(report.founderResponse, report.businessHours)}`,
        `Time to resolution: ${durations(report.resolution, report.businessHours)}`,
      ],
    },
    {
      heading: 'Satisfaction',
      lines: [
        report.satisfaction.score === null
          ? 'Satisfaction: no ratings'
          : `Satisfaction: ${report.satisfaction.score.toFixed(2)} / 5 from ${plural(report.satisfaction.ratings, 'rating')} (recent ones weigh more: half-life ${report.satisfaction.halfLifeDays} days)`,
        `Answers rated: ${report.answerRatings.up} 👍, ${report.answerRatings.down} 👎`,
      ],
    },
    {
      heading: 'Most used articles',
      lines: report.topArticles.length === 0 ? ['none'] : report.topArticles.map((a) => `${a.title} (${a.slug}): ${plural(a.count, 'answer')}`),
    },
    {
      heading: 'Articles rated down',
      lines: report.articlesRatedDown.length === 0 ? ['none'] : report.articlesRatedDown.map((a) => `${a.title} (${a.slug}): ${a.count} 👎, ${a.up} 👍`),
    },
    { heading: 'By channel', lines: breakdownLines(report.byChannel) },
    { heading: 'By language', lines: breakdownLines(report.byLanguage) },
  ];
  return { title: `Support report ${day(report.since)} – ${day(report.until)} (${report.timeZone})`, sections };
}

/** The view as plain text: what the terminal prints, and the text any console can fall back to. */
export function reportText(view: ReportView): string {
  return [view.title, ...view.sections.flatMap((s) => ['', ...(s.heading ? [`${s.heading}:`] : []), ...s.lines.map((l) => (s.heading ? `  ${l}` : l))])].join('\n');
}

function share(s: Share): string {
  return s.share === null ? `${s.count}` : `${s.count} (${Math.round(s.share * 100)}%)`;
}

function durations(d: DurationSummary, businessHours: boolean): string {
  if (d.count === 0) return 'none yet';
  const wall = `median ${duration(d.medianMs)}, 90th percentile ${duration(d.p90Ms)}`;
  const business = businessHours && d.business ? `; in business hours median ${duration(d.business.medianMs)}, 90th percentile ${duration(d.business.p90Ms)}` : '';
  return `${wall}${business} (${d.count})`;
}

/** 30 s, 32 min, 2 d 15 h: the two largest units, enough to compare. */
export function duration(ms: number | null): string {
  if (ms === null) return '–';
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${n} ${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.filter((p) => !p.startsWith('0 ')).join(' ') : '0 s';
}

function breakdownLines(rows: Breakdown[]): string[] {
  if (rows.length === 0) return ['none'];
  return rows.map((r) => `${r.key}: ${plural(r.conversations, 'conversation')}, ${r.answeredByBot} by the bot alone, ${r.escalated} escalated`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}
