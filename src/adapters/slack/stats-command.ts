import type { App } from '@slack/bolt';
import { renderDigestChart } from '../../core/insight/digest-chart.ts';
import type { CoreApi, FounderNotice, ReportView } from '../../core/ports.ts';
import type { Logger } from '../../observability/logger.ts';
import { escapeMrkdwn, slackCall, type SlackClient } from './send.ts';

// `/stats`: the report of the last 7 days (`/stats 30` for 30), answered ephemerally to a founder.
// What it says is the core's report view; this only marks it up for Slack. The weekly digest too.

export const STATS_REFUSAL = 'Sorry, /stats is only for the founders of this desk.';

export function registerStatsCommand(app: App, deps: { core: Pick<CoreApi, 'stats'>; founderUsers: readonly string[]; logger: Logger }): void {
  app.command('/stats', async ({ command, ack }) => {
    if (!deps.founderUsers.includes(command.user_id)) return ack({ response_type: 'ephemeral', text: STATS_REFUSAL });
    const days = /^\s*(\d{1,3})\s*d?\s*$/i.exec(command.text ?? '');
    try {
      const view = await deps.core.stats({ days: days ? Math.max(1, Number(days[1])) : 7 });
      return ack({ response_type: 'ephemeral', text: statsMrkdwn(view) });
    } catch (error) {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'slack /stats failed');
      return ack({ response_type: 'ephemeral', text: 'Sorry, the report could not be made just now; the error is in the log.' });
    }
  });
}

/** The report view in mrkdwn: the title and headings bold, the lines as they are (escaped). */
export function statsMrkdwn(view: ReportView): string {
  return [
    `*${escapeMrkdwn(view.title)}*`,
    ...view.sections.map((s) => [...(s.heading ? [`*${escapeMrkdwn(s.heading)}*`] : []), ...s.lines.map((l) => (s.heading ? `• ${escapeMrkdwn(l)}` : escapeMrkdwn(l)))].join('\n')),
  ].join('\n\n');
}

/**
 * The weekly digest in the founder channel: the report as a root message, then its chart as a PNG
 * in that message's thread (files.uploadV2: get an upload URL, upload, complete).
 */
export async function postDigest(client: SlackClient, channelId: string, notice: Extract<FounderNotice, { type: 'digest' }>): Promise<string> {
  const posted = await slackCall(() => client.chat.postMessage({ channel: channelId, text: statsMrkdwn(notice.view), unfurl_links: false, unfurl_media: false }));
  const ts = String(posted.ts);
  const png = await renderDigestChart(notice.days);
  await slackCall(() =>
    client.files.uploadV2({
      channel_id: channelId,
      thread_ts: ts,
      file: png,
      filename: `solodesk-digest-${notice.key.slice(0, 10)}.png`,
      title: 'Conversations per day: answered by the bot, escalated; satisfaction',
    }),
  );
  return ts;
}
