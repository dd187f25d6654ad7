import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// unhandledRejection / uncaughtException in a real process: logged through the redacting
// logger, counted in solodesk_process_failures_total, and the process keeps running.

const FIXTURE = fileURLToPath(new URL('./fixtures/unhandled-failures.ts', import.meta.url));
const SECRET = '5550001:ProcessFailureToken/with+symbols';

describe('process-level failures', () => {
  it('are logged without secrets, counted, and do not end the process', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, FIXTURE_SECRET: SECRET, LOG_LEVEL: 'info' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('still alive');
    expect(run.stdout).toContain('solodesk_process_failures_total{kind="unhandled_rejection"} 1');
    expect(run.stdout).toContain('solodesk_process_failures_total{kind="uncaught_exception"} 1');

    const records = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as { kind?: string; err?: { message?: string } });
    expect(records.map((r) => r.kind)).toEqual(['unhandled_rejection', 'uncaught_exception']);
    expect(records[0]?.err?.message).toBe('request to http://127.0.0.1:9/bot[redacted]/getMe failed');
    expect(records[1]?.err?.message).toBe('thrown with ?token=[redacted]');
    expect(run.stderr).not.toContain(SECRET);
    expect(run.stderr).not.toContain(encodeURIComponent(SECRET));
    expect(run.stderr).not.toContain('ProcessFailureToken');
  });
});
