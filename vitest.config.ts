import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on PGlite (WebAssembly, one core each): two workers keep both cores busy.
    maxWorkers: 2,
    // As bin/solodesk.js runs: V8's baseline compiler only for WebAssembly. Every suite opens
    // PGlite (9 MB of WebAssembly) again and again, and by default V8 also recompiles each one
    // with its optimising compiler on background threads: CPU the other worker then lacks.
    execArgv: ['--liftoff-only'],
    // One folder of kept KB fits for the whole run (src/kb/retrieval/fit-cache.ts), new each run:
    // dozens of desks over the sample KB fit it once, not once each. Test desks (test/support/
    // test-desk.ts) and the solodesk processes tests start read it; the fits are keyed by content
    // and code, so a desk gets exactly the fit it would have made.
    env: { KB_FIT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'solodesk-test-kb-fits-')) },
  },
});
