/** The human summary of one load run (the JSON line carries the same numbers). */
import type { RunResult } from './run.ts';
import { ms } from './stats.ts';

const pct = (value: number | null): string => (value === null ? '–' : `${value.toFixed(0)} %`);
const yes = (value: boolean): string => (value ? 'yes' : 'NO');

export function formatSummary(r: RunResult): string {
  const load = r.mode === 'open' ? `open loop, ${r.rate} msg/s` : `closed loop, ${r.concurrency} in flight`;
  const statuses = Object.entries(r.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}×${n}`).join(' ') || '–';
  const lines = [
    `bench:load — ${r.db}, ${load}, ${r.duration_s} s, ${Math.round(r.slack_share * 100)} % of customers on Slack`,
    `  offered    ${r.offered} messages (${r.offered_msgs_per_s ?? '–'} msg/s); accepted ${r.accepted} (${r.accepted_in_window} during the load: ${r.accepted_msgs_per_s ?? '–'} msg/s); never accepted ${r.unacknowledged}`,
    `  webhooks   ${r.requests} requests: p50 ${ms(r.webhook_p50_ms)}, p99 ${ms(r.webhook_p99_ms)}, max ${ms(r.webhook_max_ms)}; ${statuses}; waited for a connection p99 ${ms(r.queue_wait_p99_ms)}, max ${ms(r.queue_wait_max_ms)}`,
    `  refusals   ${r.refusals}, answered within 1 s: ${r.refusals_within_1s}${r.refusals_within_1s_share === null ? '' : ` (${(r.refusals_within_1s_share * 100).toFixed(1)} %)`}; errors ${r.errors}`,
    `  replies    ${r.replied}/${r.accepted} answered; acceptance → first reply p50 ${ms(r.reply_p50_ms)}, p99 ${ms(r.reply_p99_ms)} (Telegram p50 ${ms(r.reply_telegram_p50_ms)} p99 ${ms(r.reply_telegram_p99_ms)}; Slack p50 ${ms(r.reply_slack_p50_ms)} p99 ${ms(r.reply_slack_p99_ms)}); ${r.founder_posts} founder-channel posts`,
    `  lost       ${r.lost} (acknowledged but not held ${r.lost_unstored}, never answered and nothing pending ${r.lost_unanswered})${r.backlog_at_end > 0 ? `; still pending in the desk when the drain ended: ${r.backlog_at_end}` : ''}`,
    `  duplicated ${r.duplicated} (stored twice ${r.duplicated_stored}, answered twice ${r.duplicated_replies}); founder-channel posts repeated ${r.duplicated_founder_posts}`,
    `  server     CPU ${pct(r.server_cpu_load_pct)} of a core under load, ${pct(r.server_cpu_drain_pct)} while draining; event-loop delay under load p99 ${ms(r.server_event_loop_p99_ms)}, max ${ms(r.server_event_loop_max_ms)}; peak RSS ${r.server_peak_rss_mb ?? '–'} MB; ${r.server_error_lines} error lines logged`,
    `  machine    ${pct(r.machine_cpu_load_pct)} of all cores busy under load; this benchmark process ${pct(r.bench_cpu_load_pct)} of a core${r.generator_lag_max_ms === null ? '' : `; sending lag max ${ms(r.generator_lag_max_ms)}`}`,
    `  database   inbox ${JSON.stringify(r.inbox)}; outbox ${JSON.stringify(r.outbox)}`,
    `  end        drained ${yes(r.drained)} after ${r.drain_s} s; alive ${yes(r.alive)}${r.exit === null ? '' : ` (exited: ${r.exit})`}; healthy ${yes(r.healthy_after)}; clean stop ${yes(r.clean_stop)}`,
    ...r.server_first_errors.map((e) => `  logged     ${e}`),
  ];
  if (r.profile !== null) {
    const share = (x: number): string => `${(x * 100).toFixed(1)} %`;
    lines.push(`  profile    ${(r.profile.busy_ms / 1000).toFixed(1)} s of CPU sampled over the process's life, ${r.profile.files.length} thread(s) (${r.profile.files[0]} …)`);
    lines.push(`    by area  ${r.profile.areas.slice(0, 8).map((a) => `${a.area} ${share(a.share)}`).join(', ')}`);
    for (const f of r.profile.top.slice(0, 10)) lines.push(`    ${share(f.share).padStart(7)}  ${f.fn}`);
  }
  return lines.join('\n');
}
