import { markNotReached } from '../../src/probes/ladder.js';
import { LAYER_ORDER, type LayerName, type LayerOf, type LayerResult, type ProbeReport } from '../../src/report/report.js';

/**
 * Literal probe reports for the pure side (diagnosis, rendering). `healthyReport()` is a complete
 * report of a healthy Gateway reached over a tailnet address with the tailnet layers `skipped`;
 * the helpers replace layers the way the probe ladder would have filled them.
 */

export const GATEWAY_VERSION = '2026.9.6';
export const GATEWAY_ADDRESS = '100.101.102.103';
export const GATEWAY_PORT = 18789;
export const CLIENT_DEVICE_ID = 'a3f1c0de9b8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e';

export interface ReportOverrides {
  gateway?: Partial<ProbeReport['gateway']>;
  client?: Partial<ProbeReport['client']>;
  exposure?: ProbeReport['exposure'];
  durationMs?: number;
}

const clone = <T>(value: T): T => structuredClone(value);

function healthyLayers(version: string): LayerResult[] {
  const address = GATEWAY_ADDRESS;
  const port = GATEWAY_PORT;
  const layers: { [L in LayerName]: LayerOf<L> } = {
    'bot-node': { layer: 'bot-node', status: 'skipped', startMs: 0, durationMs: 0, summary: 'no tailscaled configured on this node' },
    dns: {
      layer: 'dns',
      status: 'ok',
      startMs: 0,
      durationMs: 0.1,
      summary: `${address} (literal)`,
      evidence: { host: address, literal: true, addresses: [address] },
    },
    peer: { layer: 'peer', status: 'skipped', startMs: 0, durationMs: 0, summary: 'no tailscaled configured on this node' },
    path: { layer: 'path', status: 'skipped', startMs: 0, durationMs: 0, summary: 'no tailscaled configured on this node' },
    tcp: { layer: 'tcp', status: 'ok', startMs: 0.2, durationMs: 4.1, summary: `${address}:${port} connected`, evidence: { address, port } },
    http: {
      layer: 'http',
      status: 'ok',
      startMs: 0.2,
      durationMs: 9.3,
      summary: '/healthz live · /readyz ready',
      evidence: {
        healthz: { path: '/healthz', status: 200, contentType: 'application/json', json: { ok: true, status: 'live' } },
        readyz: { path: '/readyz', status: 200, contentType: 'application/json', json: { ready: true, failing: [], uptimeMs: 86_400_000 } },
        live: true,
        ready: true,
        failing: [],
      },
    },
    upgrade: {
      layer: 'upgrade',
      status: 'ok',
      startMs: 0.2,
      durationMs: 6.2,
      summary: '101 Switching Protocols',
      evidence: { url: `ws://${address}:${port}`, httpStatus: 101 },
    },
    handshake: {
      layer: 'handshake',
      status: 'ok',
      startMs: 6.4,
      durationMs: 38.5,
      summary: `hello-ok protocol 4 · ${version} · scopes [operator.read]`,
      evidence: {
        challenge: true,
        challengeMs: 1.2,
        protocol: 4,
        offeredProtocol: { min: 4, max: 4 },
        serverVersion: version,
        connId: 'conn-0001',
        authMethod: 'device-token',
        role: 'operator',
        scopes: ['operator.read'],
        requestedScopes: ['operator.read'],
        deviceId: CLIENT_DEVICE_ID,
        tickIntervalMs: 30_000,
        pairing: { status: 'approved' },
      },
    },
    health: {
      layer: 'health',
      status: 'ok',
      startMs: 45,
      durationMs: 12,
      summary: 'ok · event loop p99 8.5 ms',
      evidence: {
        method: 'health',
        ok: true,
        gatewayDurationMs: 3,
        eventLoopDegraded: false,
        eventLoopDelayP99Ms: 8.5,
        modelRuntimeDegraded: false,
        pluginErrors: [],
      },
    },
    status: {
      layer: 'status',
      status: 'ok',
      startMs: 45,
      durationMs: 14,
      summary: `runtime ${version}`,
      evidence: { method: 'status', runtimeVersion: version },
    },
    channels: {
      layer: 'channels',
      status: 'ok',
      startMs: 45,
      durationMs: 210,
      summary: '1 channel account(s) running',
      evidence: {
        method: 'channels.status',
        channels: [
          { channel: 'telegram', account: 'default', configured: true, running: true, connected: true, linked: true, dmPolicy: 'pairing', issues: [] },
        ],
      },
    },
  };
  return LAYER_ORDER.map((name) => layers[name]);
}

/** A complete report of a healthy Gateway: every layer present, tailnet layers `skipped`. */
export function healthyReport(overrides: ReportOverrides = {}): ProbeReport {
  const report: ProbeReport = {
    schema: 1,
    gateway: {
      name: 'prod',
      url: `ws://${GATEWAY_ADDRESS}:${GATEWAY_PORT}`,
      host: GATEWAY_ADDRESS,
      port: GATEWAY_PORT,
      tokenEnv: 'OPENCLAW_GATEWAY_TOKEN',
      tokenPresent: true,
      slowHandshakeMs: 2_000,
      ...overrides.gateway,
    },
    startedAt: '2026-11-20T09:30:00.000Z',
    durationMs: overrides.durationMs ?? 262,
    budgetMs: 15_000,
    layers: healthyLayers(GATEWAY_VERSION),
    client: { version: '0.1.0', deviceId: CLIENT_DEVICE_ID, ...overrides.client },
  };
  if (overrides.exposure) report.exposure = clone(overrides.exposure);
  return report;
}

/** Replaces whole layers (by name); returns a new report. */
export function withLayer(report: ProbeReport, ...layers: LayerResult[]): ProbeReport {
  const next = clone(report);
  for (const layer of layers) {
    const index = next.layers.findIndex((existing) => existing.layer === layer.layer);
    if (index < 0) throw new Error(`no layer ${layer.layer} in the report`);
    next.layers[index] = clone(layer);
  }
  return next;
}

/** Every layer after `name` as the ladder leaves one it never attempted: `not-reached`, no evidence. */
export function notReachedAfter(report: ProbeReport, name: LayerName): ProbeReport {
  const next = clone(report);
  const from = LAYER_ORDER.indexOf(name);
  next.layers = next.layers.map((layer) =>
    LAYER_ORDER.indexOf(layer.layer) > from && layer.status !== 'skipped'
      ? ({ layer: layer.layer, status: 'not-reached', startMs: layer.startMs, durationMs: 0, summary: 'not reached' } as LayerResult)
      : layer,
  );
  return next;
}

/** The ladder's own final step: later failures become `not reached` (evidence kept). */
export function settle(report: ProbeReport): ProbeReport {
  const next = clone(report);
  next.layers = markNotReached(next.layers);
  return next;
}

/** A reachable tailnet: this node's tailscaled running, the peer online, a direct TSMP/disco path. */
export function withTailnet(report: ProbeReport): ProbeReport {
  return withLayer(
    report,
    {
      layer: 'bot-node',
      status: 'ok',
      startMs: 0,
      durationMs: 2,
      summary: 'Running · ops-bot',
      evidence: { backendState: 'Running', loggedIn: true, healthWarnings: [], selfName: 'ops-bot' },
    },
    {
      layer: 'peer',
      status: 'ok',
      startMs: 0.2,
      durationMs: 1.5,
      summary: `gw-prod online · ${GATEWAY_ADDRESS}`,
      evidence: {
        query: GATEWAY_ADDRESS,
        inNetmap: true,
        hostName: 'gw-prod',
        dnsName: 'gw-prod.example-tailnet.ts.net.',
        tailscaleIPs: [GATEWAY_ADDRESS],
        online: true,
        expired: false,
        tags: ['tag:gateway'],
      },
    },
    {
      layer: 'path',
      status: 'ok',
      startMs: 2,
      durationMs: 14,
      summary: 'direct · TSMP 11 ms',
      evidence: {
        ip: GATEWAY_ADDRESS,
        disco: { ok: true, latencyMs: 12, endpoint: '198.51.100.20:41641' },
        tsmp: { ok: true, latencyMs: 11 },
        direct: true,
        relayThresholdMs: 100,
      },
    },
  );
}
