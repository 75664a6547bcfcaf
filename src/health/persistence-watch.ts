import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { persistenceWarning, readRedisPersistence } from './redis-persistence.js';

/**
 * Reads Redis' persistence whenever a connection becomes ready (at boot, and after every
 * restart or failover — a Redis that comes back may be another one). Without persistence: a
 * warning in the log, and once per Redis instance (its run_id) in the alerts channel, whichever
 * clawops process gets there first. A changed run_id is also told to `onReplaced`, so that what
 * lives only in Redis (the job schedulers) can be put back.
 */
export interface PersistenceWatchDeps {
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Posts the warning in the alerts channel (absent: log only). */
  announce?: (text: string) => Promise<unknown>;
  onReplaced?: (runId: string) => void;
}

export function watchRedisPersistence(deps: PersistenceWatchDeps): { checked: () => Promise<void> } {
  let lastRunId: string | undefined;
  let running: Promise<void> = Promise.resolve();
  const check = async () => {
    const persistence = await readRedisPersistence(deps.redis);
    if (persistence.runId && lastRunId && persistence.runId !== lastRunId) {
      deps.logger.warn({ runId: persistence.runId }, 'Redis was restarted or replaced since the last connection');
      deps.onReplaced?.(persistence.runId);
    }
    const seenBefore = persistence.runId !== undefined && persistence.runId === lastRunId;
    lastRunId = persistence.runId ?? lastRunId;
    if (seenBefore) return;
    const warning = persistenceWarning(persistence);
    if (!warning) {
      if (persistence.aof === undefined) deps.logger.info('could not read Redis persistence settings (CONFIG and INFO refused)');
      return;
    }
    deps.logger.warn({ appendonly: 'no', save: '' }, warning);
    if (!deps.announce || !persistence.runId) return;
    const first = await deps.redis.set(`${deps.prefix}:warned:no-persistence:${persistence.runId}`, '1', 'EX', 30 * 24 * 3_600, 'NX');
    if (first === 'OK') await deps.announce(`⚠️ clawops: ${warning}`);
  };
  const onReady = () => {
    running = running.then(check).catch((error: unknown) => deps.logger.debug({ err: error }, 'could not read Redis persistence'));
  };
  deps.redis.on('ready', onReady);
  if (deps.redis.status === 'ready') onReady();
  return { checked: () => running };
}
