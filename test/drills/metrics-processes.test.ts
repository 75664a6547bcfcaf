/**
 * The shipped bin (`clawops start`, `bot`, `worker`, built and bundled) serves /metrics and /probe
 * beside /healthz and /readyz on CLAWOPS_METRICS_ADDR: each process its own registry, each
 * exposition clean for `promtool check metrics`; the bot, which runs no checks, answers /probe 503.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../support/redis-server.js';
import { promtool } from '../support/prometheus.js';
import type { ClawopsProcess } from './support/clawops-process.js';
import { startDrill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const healthAddr = async (child: ClawopsProcess) => String((await child.waitForLog((line) => line.msg === 'health endpoint: /healthz, /readyz', 30_000)).addr);

describe('the built bin serves /metrics and /probe', () => {
  it('start, bot and worker: a clean exposition each; /probe checks in start, 503 in the bot', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const drill = await startDrill({ gateways: 2, servers: 1, redisEnv: { REDIS_URL: redis.url } });
    cleanups.push(() => drill.close());
    const processes = [drill.start('start'), drill.start('bot'), drill.start('worker')];
    const [start, bot, worker] = await Promise.all(processes.map(healthAddr));
    await drill.botConnected();

    for (const [addr, role] of [
      [start, 'start'],
      [bot, 'bot'],
      [worker, 'worker'],
    ] as const) {
      const body = await (await fetch(`http://${addr}/metrics`)).text();
      expect(body).toMatch(new RegExp(`clawops_build_info\\{version="[^"]+",role="${role}"\\} 1`));
      expect(body).toContain('process_resident_memory_bytes');
      const checked = promtool(['check', 'metrics'], body);
      expect({ role, lint: checked.stdout + checked.stderr, code: checked.code }).toEqual({ role, lint: '', code: 0 });
    }
    const probe = await fetch(`http://${start}/probe?gateway=${drill.names[0]}`);
    expect(probe.status).toBe(200);
    expect(await probe.text()).toContain('probe_success 1');
    const fromBot = await fetch(`http://${bot}/probe?gateway=${drill.names[0]}`);
    expect(fromBot.status).toBe(503);
    const typo = await fetch(`http://${start}/probe?gateway=${drill.names[0]!.slice(0, -1)}x`);
    expect(typo.status).toBe(400);
    expect(await typo.text()).toContain('Did you mean');
    const metrics = await (await fetch(`http://${start}/metrics`)).text();
    expect(metrics).toContain('clawops_checks_total{trigger="probe"} 1');
  });
});
