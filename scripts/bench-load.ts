/**
 * `npm run bench:load`: Solodesk under load, as a real process behind real webhooks (issue 11).
 *
 * Starts the fake Telegram Bot API and Slack Web API servers in this process, starts
 * `solodesk start` as a child process on a fresh database (PostgreSQL, or PGlite in a temporary
 * folder), and drives customers at it: Telegram updates with the webhook secret header and
 * correctly signed Slack `message` events in DMs, one message per customer, mixed. Open loop at
 * `--rate` for `--duration`, or closed loop with `--concurrency` deliveries in flight. A delivery
 * refused (non-2xx, or no answer within the platform's timeout: 10 s Telegram, 3 s Slack) is
 * delivered again after Retry-After or a backoff, as the platforms do. After the load it waits
 * until every accepted message is answered (or the drain gives up), stops the desk, and checks
 * the database. The last line of the output is one JSON object (see README, "Load benchmark").
 */
import { parseLoadOptions, UsageError, USAGE } from './bench-load/options.ts';
import { formatSummary } from './bench-load/report.ts';
import { runLoad, type RunResult } from './bench-load/run.ts';

let options;
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  if (error.message !== '') console.error(`bench:load: ${error.message}\n`);
  console.error(USAGE);
  process.exit(error.message === '' ? 0 : 2);
}

const results: RunResult[] = [];
for (const db of options.dbs) {
  const result = await runLoad(db, options, (line) => process.stderr.write(`${line}\n`));
  results.push(result);
  process.stdout.write(`${formatSummary(result)}\n`);
  if (options.dbs.length > 1) process.stdout.write(`${JSON.stringify(result)}\n\n`);
}
// Exit once the last line is out: nothing of a run may keep this process alive.
process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : { runs: results })}\n`, () => process.exit(0));
