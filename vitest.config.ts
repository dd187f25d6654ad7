import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on PGlite (WebAssembly, one core each): two workers keep both cores busy.
    maxWorkers: 2,
  },
});
