import { defineConfig } from 'vitest/config';

// Four suites, one runner. `npm test` runs all four; the conformance suite starts one real
// OpenClaw Gateway (installed from npm on first use), `npm run test:fast` leaves it out.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000, globalSetup: ['test/support/global-redis.ts'] },
      },
      {
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, globalSetup: ['test/support/global-redis.ts'] },
      },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          // `/gateway check` against the real Gateway needs the queue's Redis, as the e2e suite does.
          globalSetup: ['test/support/global-redis.ts'],
          // One real Gateway for the whole suite: files run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
