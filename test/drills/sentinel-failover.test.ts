/**
 * Drill: Redis high availability on Redis's own engine. A master, a replica and three sentinels
 * (real redis-server and redis-sentinel processes on free ports); bot, worker and agent find the
 * master through the sentinels — named by REDIS_SENTINELS in one case, by clawops.yaml's `redis:`
 * section (with passwords on the servers and the sentinels) in the other. The master is killed
 * while checks are being sent: every check sent during the failover is answered exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-sentinel.js';
import { counts, startDrill, type Drill } from './support/drill.js';
import type { ClawopsProcess } from './support/clawops-process.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Starts bot, worker and agent, sends every drill name as a check, kills the master after the `killAfter`th. */
async function failOverWhileChecking(drill: Drill, group: SentinelGroup, options: { spacingMs: number; killAfter: number }) {
  const bot = drill.start('bot');
  const worker = drill.start('worker');
  const agent = drill.start('agent');
  const processes = [bot, worker, agent];
  await Promise.all([
    drill.botConnected(),
    worker.waitForLog((line) => line.msg === 'clawops started'),
    agent.waitForLog((line) => line.msg === 'host agent started'),
  ]);
  // Each found the master through the sentinels (the log says where, never with a password).
  for (const child of processes)
    await child.waitForLog((line) => line.msg === 'Redis reachable' && String(line.redis).startsWith(`sentinel ${group.name} via 127.0.0.1:`), 10_000);

  const sending = drill.check(drill.names, { spacingMs: options.spacingMs });
  await new Promise((resolve) => setTimeout(resolve, options.killAfter * options.spacingMs));
  const failover = await group.killMasterAndWaitForFailover();
  await sending;

  const tally = await drill.waitForTally((entries) => counts(entries).pending === 0 && counts(entries).missing === 0, 60_000);
  // Everyone followed the new master.
  for (const child of processes) await child.waitForLog((line) => line.msg === 'Redis reachable again', 15_000);
  return { tally, failover, processes };
}

function everything(child: ClawopsProcess): string {
  return [...child.logs.map((line) => JSON.stringify(line)), ...child.text].join('\n');
}

describe('the Redis master dies and Sentinel promotes the replica', () => {
  it('checks sent before, during and after the failover are each answered once, by bot and worker that followed the new master', async () => {
    const group = await startSentinelGroup();
    cleanups.push(() => group.stop());
    const drill = await startDrill({
      gateways: 24,
      servers: 3,
      rpcDelayMs: 800,
      redisEnv: { REDIS_SENTINELS: group.sentinels, REDIS_SENTINEL_NAME: group.name },
      agent: true,
    });
    cleanups.push(() => drill.close());
    // 24 commands over ~3.6 s; the master is killed after the sixth.
    const { tally, failover } = await failOverWhileChecking(drill, group, { spacingMs: 150, killAfter: 6 });
    const result = counts(tally);
    // Exactly one message per command, none left "Checking…", no duplicates, none refused.
    expect(result).toEqual({ checks: 24, verdicts: 24, apologies: 0, failed: 0, pending: 0, missing: 0, duplicates: 0 });
    // Every one was accepted (an enqueue waits out the failover) and got its verdict.
    expect(tally.every((entry) => /^✅ gw-\d{3} healthy/.test(entry.text))).toBe(true);
    expect(failover.tookMs).toBeLessThan(10_000);
    expect(await group.masterPort()).toBe(failover.to);
  });

  it('configured only in clawops.yaml (sentinels, name, password variables; passwords on servers and sentinels): the same, and no password in any log', async () => {
    const password = `drill-master-${Math.random().toString(36).slice(2)}-pw`;
    const sentinelPassword = `drill-sentinel-${Math.random().toString(36).slice(2)}-pw`;
    const group = await startSentinelGroup({ password, sentinelPassword });
    cleanups.push(() => group.stop());
    const drill = await startDrill({
      gateways: 16,
      servers: 3,
      rpcDelayMs: 800,
      // No REDIS_* at all: only the variables the file names.
      redisEnv: { CLAWOPS_DRILL_REDIS_PASSWORD: password, CLAWOPS_DRILL_SENTINEL_PASSWORD: sentinelPassword },
      redis: {
        sentinels: group.sentinels.split(','),
        name: group.name,
        passwordEnv: 'CLAWOPS_DRILL_REDIS_PASSWORD',
        sentinelPasswordEnv: 'CLAWOPS_DRILL_SENTINEL_PASSWORD',
      },
      agent: true,
    });
    cleanups.push(() => drill.close());
    expect(Object.keys(drill.env).filter((name) => name.startsWith('REDIS_'))).toEqual([]);
    // 16 commands over ~3.2 s; the master is killed after the fourth.
    const { tally, failover, processes } = await failOverWhileChecking(drill, group, { spacingMs: 200, killAfter: 4 });
    expect(counts(tally)).toEqual({ checks: 16, verdicts: 16, apologies: 0, failed: 0, pending: 0, missing: 0, duplicates: 0 });
    expect(tally.every((entry) => /^✅ gw-\d{3} healthy/.test(entry.text))).toBe(true);
    expect(failover.tookMs).toBeLessThan(10_000);
    // The bot and the worker say where Redis came from.
    for (const child of processes.slice(0, 2)) expect(child.logs.find((line) => line.msg === 'clawops started')?.redisFrom).toBe('config file');
    for (const child of processes) {
      expect(everything(child)).not.toContain(password);
      expect(everything(child)).not.toContain(sentinelPassword);
    }
  });
});
