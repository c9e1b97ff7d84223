import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: real sockets and child processes are timing-sensitive, so keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
