import type { Socket } from 'node:net';
import type { HttpEndpointEvidence, LayerOf } from '../report/report.js';
import { agentOver, httpGet, type HttpGetOptions } from './http-get.js';
import { roundMs, type MonotonicClock } from './clock.js';

/**
 * `/healthz` and `/readyz`. Every other path of a Gateway answers 200 with the Control UI's HTML,
 * so a 200 is health only when the body is the health JSON.
 */
export async function probeHttpHealth(
  url: URL,
  options: Omit<HttpGetOptions, 'agent'> & {
    startMs: number;
    clock: MonotonicClock;
    /**
     * The TCP layer's connection, once it is open (undefined when it failed): `/healthz`, then `/readyz`,
     * go over it rather than two connections of their own. A check opens two connections instead of
     * four: connects and closes were a tenth of a scheduled check's CPU. One request after the other
     * costs a round trip, but the HTTP layer still finishes before the handshake's RPCs (3 round trips
     * against 4). When TCP failed, each tries its own connection, side by side, with the time left.
     */
    connected?: Promise<Socket | undefined>;
  },
): Promise<LayerOf<'http'>> {
  const t0 = options.clock();
  const { connected, ...get } = options;
  const left = () => get.timeoutMs - (options.clock() - t0);
  const within = (path: string, agent?: HttpGetOptions['agent']) =>
    left() > 0
      ? httpGet(url, path, { ...get, timeoutMs: left(), ...(agent ? { agent } : {}) })
      : Promise.resolve<HttpEndpointEvidence>({ path, error: 'timeout' });
  const sideBySide = () => Promise.all([within('/healthz'), within('/readyz')]);
  const overConnection = async (socket: Socket): Promise<[HttpEndpointEvidence, HttpEndpointEvidence]> => {
    const agent = agentOver(url, socket);
    try {
      const healthz = await within('/healthz', agent);
      return [healthz, await within('/readyz', agent)];
    } finally {
      agent.destroy();
      socket.destroy();
    }
  };
  const [healthz, readyz] = connected ? await connected.then((socket) => (socket ? overConnection(socket) : sideBySide())) : await sideBySide();
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
