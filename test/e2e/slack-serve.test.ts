/**
 * `/gateway check` for Gateways behind a Tailscale-Serve-like TLS front: real Bolt against the
 * Slack emulator, real BullMQ on real Redis, the ladder through the front (its throwaway CA and
 * MagicDNS stand-in handed to the runtime's ladder) to the fake Gateway or to nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reservedClosedPort, startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { serveRoute, startServeFront, type ServeFront } from '../support/serve-front.js';
import type { ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');
const PROD = 'gw-prod.example-tailnet.ts.net';
const EDGE = 'gw-edge.example-tailnet.ts.net';
const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

describe('/gateway check behind Tailscale Serve', () => {
  let gateway: FakeGateway;
  let front: ServeFront;
  let harness: BotHarness;

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN, mode: 'proxy-untrusted', channels: [] });
    front = await startServeFront({ routes: { ...serveRoute(PROD, gateway.port), ...serveRoute(EDGE, await reservedClosedPort()) } });
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: front.url(PROD) }, edge: { url: front.url(EDGE) } },
      runtime: { ladder: { tls: { ca: front.ca }, lookup: front.lookup } },
      // Each check here must probe anew: no result shared with the one before.
      queue: { coalesceWindowMs: 0 },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await front?.close();
    await gateway?.close();
  });

  async function verdictOf(command: string): Promise<ApiCall> {
    const since = harness.emu.mark();
    await harness.gateway(command);
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since });
    return harness.emu.waitForCall('chat.update', finalUpdate((placeholder.response as { ts: string }).ts), { since, timeoutMs: 10_000 });
  }

  it('an untrusted front: proxy-untrusted with the trustedProxies command, not auth-rejected', async () => {
    const update = await verdictOf('check prod');
    expect(String(update.params.text)).toContain('prod UNHEALTHY: proxy-untrusted — upgrade answered HTTP 403 proxy_attribution_required');
    const blocks = JSON.stringify(update.params.blocks);
    expect(blocks).toContain('openclaw config set gateway.trustedProxies');
    expect(blocks).not.toContain('auth-rejected');
    expect(JSON.stringify(harness.emu.calls)).not.toContain(GATEWAY_TOKEN);
  });

  it('trusted now: the same check is healthy', async () => {
    gateway.setMode('healthy');
    const update = await verdictOf('check prod');
    expect(String(update.params.text)).toMatch(/^✅ prod healthy · 2026\.9\.6/);
  });

  it('Serve up, nothing behind it: gateway-down-behind-proxy', async () => {
    const update = await verdictOf('check edge');
    expect(String(update.params.text)).toContain('edge UNHEALTHY: gateway-down-behind-proxy');
    expect(JSON.stringify(update.params.blocks)).toContain('tailscale serve status');
  });
});
