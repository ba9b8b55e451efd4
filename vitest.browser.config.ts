import { defineConfig } from 'vitest/config';

// The browser suite (npm run browser): the console driven in Debian's chromium through
// playwright-core. One file at a time; each starts the service on a port of its own.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
