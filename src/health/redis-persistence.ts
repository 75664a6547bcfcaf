import type { Redis } from 'ioredis';

/**
 * Does this Redis keep what it is given across a restart? With `appendonly no` and no RDB `save`
 * points, every queued check (and the alert state, history, offboarding checklists) dies with the
 * process: worth saying loudly at boot. Read with CONFIG GET where the ACL allows it, else INFO
 * persistence (which tells AOF but not the save points).
 */
export interface RedisPersistence {
  aof: boolean | undefined;
  /** The `save` setting ("3600 1 300 100"), '' for none; undefined when it could not be read. */
  savePoints: string | undefined;
  /** INFO server's run_id: changes whenever Redis restarts (or a failover picks another server). */
  runId: string | undefined;
}

export async function readRedisPersistence(redis: Redis): Promise<RedisPersistence> {
  const info = await redis.info('server').catch(() => '');
  const runId = /^run_id:(\S+)/m.exec(info)?.[1];
  try {
    const [aofReply, saveReply] = await Promise.all([redis.config('GET', 'appendonly'), redis.config('GET', 'save')]);
    const value = (reply: unknown) => (Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined);
    const aof = value(aofReply);
    return { aof: aof === undefined ? undefined : aof === 'yes', savePoints: value(saveReply), runId };
  } catch {
    // CONFIG is often refused to applications (ACL, managed Redis): INFO still says whether AOF is on.
    const persistence = await redis.info('persistence').catch(() => '');
    const aof = /^aof_enabled:(\d)/m.exec(persistence)?.[1];
    return { aof: aof === undefined ? undefined : aof === '1', savePoints: undefined, runId };
  }
}

/** The warning to give, or undefined when Redis persists (or we cannot tell that it does not). PURE. */
export function persistenceWarning(persistence: RedisPersistence): string | undefined {
  if (persistence.aof !== false) return undefined;
  if (persistence.savePoints === undefined || persistence.savePoints.trim() !== '') return undefined;
  return 'Redis keeps nothing across a restart (appendonly no, no RDB save points): queued checks, alert state, history and offboarding checklists die with it. Turn on AOF (`appendonly yes`) — see README "Production".';
}
