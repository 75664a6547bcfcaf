import { defineConfig } from 'vitest/config';

// Five suites, one runner. `npm test` runs all five; the conformance suite starts one real
// OpenClaw Gateway (installed from npm on first use), `npm run test:fast` leaves it and the drills out.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          globalSetup: ['test/support/global-redis.ts'],
        },
      },
      {
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, globalSetup: ['test/support/global-redis.ts'] },
      },
      {
        // Failure drills: the built bin as bot/worker/agent processes, private redis-server and
        // sentinels, a Slack-fault proxy. Mostly waiting (a 70 s Slack outage), so two files at a time,
        // in a group of their own after the other suites (vitest runs a group's projects with one maxWorkers).
        test: {
          name: 'drills',
          include: ['test/drills/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/drills/support/build-setup.ts'],
        },
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
