import type { Logger } from '../observability/logger.ts';
import { installProcessFailureHandlers } from '../observability/process-failures.ts';
import type { RunningService } from '../service.ts';

// How the long-running commands (start, chat) live and end. One function installs everything a
// process needs and library code must not: the handlers for failures that escaped every handler
// (logged, redacted, counted; the process goes on), and one way to ask for a stop, whatever asks:
// SIGTERM or SIGINT (also while still migrating), Ctrl-C in the console, the end of piped input,
// or the npm process that launched us disappearing.

/** npm runs a script as `sh -c "…"`; if npm is killed, nothing tells us: check who our parent is. */
const PARENT_CHECK_MS = 1_000;
/** After a clean stop the process ends by itself; if a forgotten handle holds it, it is ended. */
const EXIT_GRACE_MS = 3_000;

export interface ProcessLifecycle {
  /** Aborted at the first stop request; its reason is why (a StopRequested). */
  readonly signal: AbortSignal;
  requestStop(why: string): void;
  /** Resolves with the reason at the first stop request. */
  readonly stopRequested: Promise<string>;
  /** Call once the service has stopped (or failed to start): ends the process if it lingers. */
  finish(): void;
}

export class StopRequested extends Error {
  constructor(readonly why: string) {
    super(`stop requested: ${why}`);
    this.name = 'StopRequested';
  }
}

export function installProcessLifecycle(logger: Logger): ProcessLifecycle {
  installProcessFailureHandlers(logger);
  const controller = new AbortController();
  let resolveStop!: (why: string) => void;
  const stopRequested = new Promise<string>((resolve) => (resolveStop = resolve));

  const requestStop = (why: string): void => {
    if (controller.signal.aborted) {
      logger.info({ why }, 'already stopping');
      return;
    }
    logger.info({ why }, 'stopping');
    controller.abort(new StopRequested(why));
    resolveStop(why);
  };

  // The handlers stay installed while stopping: under `npm start` a Ctrl-C reaches us twice
  // (from the terminal and forwarded by npm), and the second must not kill a shutdown halfway.
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => requestStop(name));

  // Only when npm (or npx) launched us: a server started from a shell with nohup or `&` outlives
  // its shell on purpose, but one whose npm is gone is an orphan holding the port and the data folder.
  if (process.env.npm_lifecycle_event !== undefined) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(watch);
        requestStop('the npm process that started this one exited');
      }
    }, PARENT_CHECK_MS);
    watch.unref();
  }

  let finishing = false;
  return {
    signal: controller.signal,
    requestStop,
    stopRequested,
    finish() {
      if (finishing) return;
      finishing = true;
      const lingering = setTimeout(() => {
        logger.warn({ handles: process.getActiveResourcesInfo() }, 'the process did not end by itself after stopping; ending it');
        process.exit();
      }, EXIT_GRACE_MS);
      lingering.unref();
    },
  };
}

/**
 * Starts the service, serves until a stop is requested, and stops it. A stop requested while
 * still starting (migrations, the KB's first fit) ends the start at its next step instead.
 */
export async function serveUntilStopped(
  lifecycle: ProcessLifecycle,
  start: () => Promise<RunningService>,
  onReady?: (service: RunningService) => void,
): Promise<void> {
  try {
    let service: RunningService;
    try {
      service = await start();
    } catch (error) {
      if (error instanceof StopRequested) return;
      throw error;
    }
    onReady?.(service);
    await lifecycle.stopRequested;
    await service.stop();
  } finally {
    lifecycle.finish();
  }
}
