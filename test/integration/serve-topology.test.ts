/**
 * The check through a Tailscale-Serve-like TLS front (test/support/serve-front.ts) against real
 * servers on port 0: the fake Gateway behind it, a backend that is gone, a hung one, a missing
 * route, a name without a route. Each Serve-topology row of the symptom table, from evidence the
 * ladder really collected.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createChecker } from '../../src/check/checker.js';
import { DEFAULT_TIMEOUTS } from '../../src/config/schema.js';
import type { CheckTarget } from '../../src/config/targets.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import { probeExposure } from '../../src/probes/exposure.js';
import type { LadderDeps } from '../../src/probes/ladder.js';
import { reservedClosedPort, startBlackholeServer, startFakeGateway, type FakeGatewayOptions } from '../support/fake-gateway.js';
import { serveRoute, startServeFront, type ServeFront, type ServeRoutes } from '../support/serve-front.js';

const TOKEN = 'serve-topology-token-0123456789';
const NAME = 'gw-prod.example-tailnet.ts.net';
const timeouts = { ...DEFAULT_TIMEOUTS, tcpMs: 800, httpMs: 800, upgradeMs: 800, handshakeMs: 1_500, rpcMs: 1_500, channelsMs: 2_000, budgetMs: 5_000 };

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function front(routes: ServeRoutes): Promise<ServeFront> {
  const started = await startServeFront({ routes });
  closers.push(() => started.close());
  return started;
}

async function gatewayBehindFront(options: Partial<FakeGatewayOptions> = {}) {
  const gateway = await startFakeGateway({ token: TOKEN, channels: [], ...options });
  closers.push(() => gateway.close());
  return { gateway, front: await front(serveRoute(NAME, gateway.port)) };
}

function target(f: ServeFront | string, overrides: Partial<CheckTarget> = {}): CheckTarget {
  const url = typeof f === 'string' ? f : f.url();
  return { name: 'prod', url, tokenEnv: 'PROD_TOKEN', token: TOKEN, timeouts, device: 'never', slowHandshakeMs: 2_000, gatewayPort: 18789, ...overrides };
}

async function check(f: ServeFront, t: CheckTarget, deps: Partial<LadderDeps> = {}) {
  const result = await createChecker({ connect: connectToGateway, tls: { ca: f.ca }, lookup: f.lookup, ...deps }).check(t);
  expect(JSON.stringify(result)).not.toContain(TOKEN);
  return result;
}

describe('the Serve-like front', () => {
  it('forwards HTTP and the upgrade with the headers Serve sets, and the check is healthy', async () => {
    const { front: f } = await gatewayBehindFront();
    const { diagnosis, report } = await check(f, target(f));
    expect(diagnosis).toMatchObject({ state: 'healthy', verdicts: [] });
    expect(report.layers.find((layer) => layer.layer === 'upgrade')?.evidence).toMatchObject({ httpStatus: 101 });
    const upgrade = f.forwarded.find((request) => request.upgrade);
    expect(upgrade?.headers).toMatchObject({
      host: `${NAME}:${f.port}`,
      'x-forwarded-host': `${NAME}:${f.port}`,
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '100.100.1.1',
      'tailscale-user-login': 'ops1@example.com',
      'tailscale-user-name': 'Ops One',
      connection: 'Upgrade',
      upgrade: 'websocket',
    });
    expect(f.forwarded.map((request) => request.path)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/']));
  });
});

describe('Serve-topology verdicts against real servers', () => {
  it('the Gateway does not trust its front → proxy-untrusted (not auth-rejected), with the fix named', async () => {
    const { front: f } = await gatewayBehindFront({ mode: 'proxy-untrusted' });
    const { diagnosis } = await check(f, target(f));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'proxy-untrusted', layer: 'upgrade', severity: 'error' });
    expect(diagnosis.failedLayer).toBe('upgrade');
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      'upgrade answered HTTP 403 proxy_attribution_required',
      '/readyz 403 proxy_attribution_required',
      '/healthz 200 {"ok":true,"status":"live"}',
      'token from PROD_TOKEN (set): not the problem',
    ]);
    expect(diagnosis.verdicts[0]!.do).toContain(`openclaw config set gateway.trustedProxies '["127.0.0.1/32","::1/128"]' --strict-json`);
    expect(diagnosis.verdicts.map((verdict) => verdict.id)).not.toContain('auth-rejected');
  });

  it('Serve up, nothing behind it → gateway-down-behind-proxy: 502 with an empty body on /healthz and the upgrade', async () => {
    const f = await front(serveRoute(NAME, await reservedClosedPort()));
    const { diagnosis, report } = await check(f, target(f));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-down-behind-proxy', layer: 'http' });
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      `TCP 127.0.0.1:${f.port} connected: the front answers`,
      '/healthz 502 (empty body)',
      'upgrade HTTP 502 (empty body)',
      'the Gateway behind the front does not answer it',
    ]);
    expect(diagnosis.verdicts[0]!.do).toContain('curl -fsS http://127.0.0.1:18789/healthz');
    expect(report.layers.find((layer) => layer.layer === 'tcp')?.status).toBe('ok');
  });

  it('a hung Gateway behind Serve (TCP and TLS fine, no HTTP answer) → gateway-hung', async () => {
    const hole = await startBlackholeServer();
    closers.push(() => hole.close());
    const f = await front(serveRoute(NAME, hole.port));
    const { diagnosis } = await check(f, target(f));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-hung', layer: 'http' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toBe(`TCP 127.0.0.1:${f.port} connected`);
    expect(hole.connections).toBeGreaterThanOrEqual(2); // the front did forward both requests
  });

  it('a Serve route that does not cover /healthz (404 page not found) → serve-route-missing', async () => {
    const { gateway } = await gatewayBehindFront();
    const f = await front({ [NAME]: { '/app/': `http://127.0.0.1:${gateway.port}` } });
    const { diagnosis } = await check(f, target(f));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'serve-route-missing', layer: 'http' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toBe('/healthz 404 "404 page not found": the front has no route for this path');
    expect(diagnosis.verdicts[0]!.do).toContain('tailscale serve --bg --https=443 http://127.0.0.1:18789');
  });

  it('TLS for a name Serve has no route for (alert internal_error) → serve-route-missing, not tls-mismatch', async () => {
    const { front: f } = await gatewayBehindFront();
    const { diagnosis } = await check(f, target(f, { url: `wss://other-host.example-tailnet.ts.net:${f.port}` }));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'serve-route-missing' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toBe(
      `TLS to other-host.example-tailnet.ts.net:${f.port} answered with alert internal_error: the front (Serve) has no route for this name`,
    );
  });

  it('ws:// to the TLS front → tls-mismatch (Go answers plain HTTP with its 400)', async () => {
    const { front: f } = await gatewayBehindFront();
    const { diagnosis } = await check(f, target(f, { url: f.url().replace('wss://', 'ws://') }));
    expect(diagnosis.verdicts[0]?.id).toBe('tls-mismatch');
  });

  it("the public address is probed on the Gateway's own port as well as the URL's → public-exposure names it", async () => {
    const { gateway, front: f } = await gatewayBehindFront();
    const { diagnosis, report } = await check(f, target(f, { publicAddress: '127.0.0.1', gatewayPort: gateway.port }), {
      exposure: (request) => probeExposure(request),
    });
    expect(report.exposureChecks?.map((exposed) => exposed.port)).toEqual([gateway.port, f.port]);
    const exposure = diagnosis.verdicts.find((verdict) => verdict.id === 'public-exposure');
    expect(exposure).toMatchObject({ severity: 'critical' });
    expect(exposure!.evidence).toEqual(
      expect.arrayContaining([
        `TCP 127.0.0.1:${gateway.port} open on the public address (the Gateway's own port)`,
        'HTTP 200 (OpenClaw health JSON)',
        `TCP 127.0.0.1:${f.port} open on the public address`,
      ]),
    );
  });

  it('a plain server that answers 404 on ws:// (no front) stays not-openclaw', async () => {
    const server: Server = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const { diagnosis } = await createChecker({ connect: connectToGateway }).check(target(`ws://127.0.0.1:${port}`));
    expect(diagnosis.verdicts[0]?.id).toBe('not-openclaw');
  });
});
