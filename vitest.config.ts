import { defineConfig } from 'vitest/config';

// Four suites, one runner: `npm test` runs unit + integration + e2e; the conformance suite
// needs a real OpenClaw Gateway and runs apart (`npm run test:conformance`).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          // One real Gateway for the whole suite: files run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
