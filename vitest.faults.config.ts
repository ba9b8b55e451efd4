import { defineConfig } from 'vitest/config';

// The fault suite (npm run faults): processes killed, Redis and MariaDB stopped and hung, bursts
// of callbacks. One file at a time, so that the answers it times are not slowed by other tests.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
