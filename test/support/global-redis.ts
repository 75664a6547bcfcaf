import type { TestProject } from 'vitest/node';
import { pingable, startPrivateRedis, type PrivateRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * Gives the suites a Redis: the one on 127.0.0.1:6379 when it answers (as on CI), otherwise a
 * private redis-server on a free port for this run, so that `npm test` works on a fresh machine.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let own: PrivateRedis | undefined;
  if (await pingable(shared)) {
    project.provide('redisUrl', shared);
  } else {
    own = await startPrivateRedis();
    project.provide('redisUrl', own.url);
  }
  return async () => {
    await own?.stop();
  };
}
