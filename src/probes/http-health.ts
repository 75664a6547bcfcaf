import type { Socket } from 'node:net';
import type { LayerOf } from '../report/report.js';
import { httpGet, type HttpGetOptions } from './http-get.js';
import { roundMs, type MonotonicClock } from './clock.js';

/**
 * `/healthz` and `/readyz`, side by side. Every other path of a Gateway answers 200 with the
 * Control UI's HTML, so a 200 is health only when the body is the health JSON.
 */
export async function probeHttpHealth(
  url: URL,
  options: Omit<HttpGetOptions, 'socket'> & {
    startMs: number;
    clock: MonotonicClock;
    /**
     * The TCP layer's connection, once it is open (undefined when it failed): `/healthz` goes over it
     * rather than a connection of its own. One connect fewer a check: a tenth of a scheduled check's CPU
     * is connects and closes. When TCP failed, `/healthz` still tries its own, with the time left.
     */
    connected?: Promise<Socket | undefined>;
  },
): Promise<LayerOf<'http'>> {
  const t0 = options.clock();
  const { connected, ...get } = options;
  const healthzRequest = connected
    ? connected.then((socket) => {
        const left = get.timeoutMs - (options.clock() - t0);
        if (left <= 0) {
          socket?.destroy();
          return { path: '/healthz', error: 'timeout' as const };
        }
        return httpGet(url, '/healthz', { ...get, timeoutMs: left, ...(socket ? { socket } : {}) });
      })
    : httpGet(url, '/healthz', get);
  const [healthz, readyz] = await Promise.all([healthzRequest, httpGet(url, '/readyz', get)]);
  const durationMs = roundMs(options.clock() - t0);
  const base = { layer: 'http' as const, startMs: options.startMs, durationMs };

  if (healthz.error) {
    return {
      ...base,
      status: 'failed',
      summary: `/healthz ${healthz.error}${healthz.errno ? ` (${healthz.errno})` : ''}`,
      evidence: { healthz, readyz, failing: [] },
    };
  }
  const live = healthz.status === 200 && healthz.json?.ok === true;
  const readyJson = readyz.json;
  const ready = typeof readyJson?.ready === 'boolean' ? readyJson.ready : undefined;
  const failing = Array.isArray(readyJson?.failing) ? readyJson.failing.filter((item): item is string => typeof item === 'string') : [];
  const version = typeof healthz.json?.version === 'string' ? healthz.json.version : undefined;
  const evidence = { healthz, readyz, live, ready, failing, version };

  // A body refused unread is the finding, whatever the status said.
  const refused = healthz.refused ? `/healthz ${healthz.refused}` : readyz.refused ? `/readyz ${readyz.refused}` : undefined;
  if (refused) return { ...base, status: 'failed', summary: refused, evidence };
  if (!live) {
    const what = healthz.json
      ? `status ${healthz.status} ${JSON.stringify(healthz.json).slice(0, 60)}`
      : `status ${healthz.status} ${healthz.contentType?.split(';')[0] ?? 'no content type'}, not the health JSON`;
    return { ...base, status: 'failed', summary: `/healthz ${what}`, evidence };
  }
  if (ready === false) {
    return {
      ...base,
      status: 'failed',
      summary: `/healthz live · /readyz ${readyz.status} not ready${failing.length ? `: ${failing.join(', ')}` : ''}`,
      evidence,
    };
  }
  return { ...base, status: 'ok', summary: `/healthz live · /readyz ${ready ? 'ready' : `${readyz.status ?? readyz.error}`}`, evidence };
}
