import type { CheckTarget } from '../config/targets.js';
import type { DeviceIdentity } from '../openclaw/types.js';
import { CLAWOPS_VERSION } from '../version.js';
import type { LayerName, LayerOf, LayerResult, ProbeReport } from '../report/report.js';
import { LAYER_ORDER } from '../report/layer-order.js';
import { performanceClock, roundMs, type MonotonicClock } from './clock.js';
import { probeDns, toNodeLookup, type Lookup } from './dns.js';
import { isShortName } from './dns-split.js';
import { connectTcp } from './tcp.js';
import { probeHttpHealth } from './http-health.js';
import { canRead, notReached, probeGateway, type Connect } from './websocket.js';
import { channelsLayer, gatewayConfigEvidence, healthLayer, statusLayer } from './rpc-layers.js';
import type { ExposureProbe, TailnetLayers } from './tailnet-seam.js';
import { botNodeForTarget } from './tailnet/applies.js';
import type { TailnetPolicyProbe } from './tailnet/policy-probe.js';
import { tokenFingerprint } from '../report/token-fingerprint.js';

export interface LadderDeps {
  connect: Connect;
  identity?: DeviceIdentity;
  tailnet?: TailnetLayers;
  /** The tailnet policy for this node, to tell the ACL from the host firewall (with `tailnet`). */
  tailnetPolicy?: TailnetPolicyProbe;
  exposure?: ExposureProbe;
  lookup?: Lookup;
  clock?: MonotonicClock;
  now?: () => Date;
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /**
   * The protocol range offered (default 4..4). The conformance suite offers an older client's
   * range to prove that true version skew reads as `protocol-mismatch` against the real Gateway.
   */
  protocol?: { min: number; max: number };
}

export function gatewayAddress(url: string): { host: string; port: number; url: URL } {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'wss:' ? 443 : 80;
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, url: parsed };
}

const skipped = (layer: LayerName, summary: string): LayerResult => ({ layer, status: 'skipped', startMs: 0, durationMs: 0, summary });

/**
 * One check of one gateway: the layers in ladder order, overlapped where they are independent
 * (TCP, HTTP health and the WebSocket start together, `/healthz` then `/readyz` over the TCP
 * layer's connection; `health`, `status` and `channels.status` go out together after hello-ok), so
 * that a check costs the round trips of one handshake.
 * Never throws because the target is broken; the budget bounds the whole check.
 */
export async function runLadder(target: CheckTarget, deps: LadderDeps, options: { signal?: AbortSignal } = {}): Promise<ProbeReport> {
  const clock = deps.clock ?? performanceClock;
  const startedAt = (deps.now ?? (() => new Date()))();
  const t0 = clock();
  const since = () => roundMs(clock() - t0);
  const budget = AbortSignal.any([AbortSignal.timeout(target.timeouts.budgetMs), ...(options.signal ? [options.signal] : [])]);
  const { host, port, url } = gatewayAddress(target.url);
  const layers = new Map<LayerName, LayerResult>();
  let gatewayConfig: ProbeReport['gatewayConfig'];

  const botNode = deps.tailnet?.botNode({ startMs: 0, signal: budget });
  // MagicDNS names are resolved both ways: `*.ts.net`, and short names (the search domains decide those).
  const magicDnsName = /\.ts\.net\.?$/i.test(host) || isShortName(host);
  const dnsSplit = deps.tailnet?.dnsSplit && magicDnsName ? deps.tailnet.dnsSplit(host, { signal: budget }) : undefined;
  const dns = await probeDns(host, { timeoutMs: target.timeouts.dnsMs, startMs: since(), clock, lookup: deps.lookup });
  const split = await dnsSplit?.catch(() => undefined);
  // A MagicDNS name that does not resolve: is MagicDNS on at all? Asked only then (a round trip on failure only).
  const magicDns =
    dns.status === 'failed' && magicDnsName && deps.tailnet?.magicDnsState
      ? await deps.tailnet.magicDnsState({ signal: budget }).catch(() => undefined)
      : undefined;
  layers.set(
    'dns',
    (split || magicDns) && dns.evidence ? { ...dns, evidence: { ...dns.evidence, ...(split ? { split } : {}), ...(magicDns ? { magicDns } : {}) } } : dns,
  );

  const addresses = dns.evidence?.addresses ?? [];
  if (dns.status === 'ok' && addresses.length > 0) {
    const address = addresses[0]!;
    const afterDns = since();
    const peer = deps.tailnet?.peer(target.tailnetHost ?? host, addresses, { startMs: afterDns, signal: budget });
    const path = peer?.then((found) => {
      const ip = found.evidence?.tailscaleIPs[0];
      return ip && found.evidence?.inNetmap ? deps.tailnet!.path(ip, { startMs: since(), signal: budget }) : undefined;
    });
    // The public address must not answer on the Gateway's own port (18789 behind Serve) nor on the URL's.
    const exposurePorts = [...new Set([target.gatewayPort ?? port, port])];
    const exposure =
      target.publicAddress && deps.exposure
        ? Promise.all(
            exposurePorts.map((exposed) => deps.exposure!({ address: target.publicAddress!, port: exposed, timeoutMs: target.timeouts.tcpMs, signal: budget })),
          )
        : undefined;
    // The policy can only matter if TCP times out: start reading it (cached) once TCP is slower
    // than any healthy connect, so it is at hand by the time TCP gives up.
    const policyProbe = deps.tailnet ? deps.tailnetPolicy : undefined;
    // Only for a node in this node's netmap: a slow LAN or loopback gateway is no question for the tailnet policy.
    const prefetch =
      policyProbe && peer
        ? setTimeout(
            () =>
              void peer.then(
                (found) => found.evidence?.inNetmap && policyProbe.prefetch(budget),
                () => undefined,
              ),
            Math.min(250, target.timeouts.tcpMs / 4),
          )
        : undefined;
    const tcpConnection = connectTcp(address, port, { timeoutMs: target.timeouts.tcpMs, startMs: afterDns, clock, signal: budget }).finally(() =>
      clearTimeout(prefetch),
    );
    const [tcp, http, gateway] = await Promise.all([
      tcpConnection.then(({ layer }) => layer),
      probeHttpHealth(url, {
        connected: tcpConnection.then(({ socket }) => socket),
        timeoutMs: target.timeouts.httpMs,
        startMs: afterDns,
        clock,
        signal: budget,
        tls: deps.tls,
        ...(deps.lookup ? { lookup: toNodeLookup(deps.lookup) } : {}),
      }),
      probeGateway(
        target,
        {
          connect: deps.connect,
          identity: deps.identity,
          protocol: deps.protocol,
          tls: deps.tls,
          ...(deps.lookup ? { lookup: toNodeLookup(deps.lookup) } : {}),
        },
        { startMs: afterDns, signal: budget },
      ),
    ]);
    layers.set('tcp', tcp);
    layers.set('http', http);
    layers.set('upgrade', gateway.upgrade);
    layers.set('handshake', gateway.handshake);

    if (gateway.session) {
      const session = gateway.session;
      const rpcStart = since();
      const scopes = session.hello.auth.scopes;
      const timed = async <T>(work: Promise<T>) => {
        const value = await work;
        return { value, timing: { startMs: rpcStart, durationMs: roundMs(since() - rpcStart) } };
      };
      const call = (method: string, params: Record<string, unknown>, timeoutMs: number) => timed(session.call(method, params, { timeoutMs, signal: budget }));
      const readable = canRead(scopes);
      // config.get (operator.read) is where the channels' DM/group policies are; the Gateway redacts its secrets.
      const [health, status, channels, config] = await Promise.all([
        call('health', {}, target.timeouts.rpcMs),
        readable ? call('status', {}, target.timeouts.rpcMs) : undefined,
        readable
          ? call('channels.status', { probe: true, timeoutMs: Math.max(1_000, target.timeouts.channelsMs - 1_000) }, target.timeouts.channelsMs)
          : undefined,
        readable ? call('config.get', {}, target.timeouts.rpcMs) : undefined,
      ]);
      gatewayConfig = gatewayConfigEvidence(config?.value, target.timeouts.rpcMs);
      // Closing costs the Gateway a little and us nothing: the report does not wait for it.
      void session.close();
      layers.set('health', healthLayer(health.value, health.timing, target.timeouts.rpcMs));
      const unreadable = `not readable: granted scopes [${scopes.join(', ')}] lack operator.read (token-only remote client; pair this node's device)`;
      layers.set(
        'status',
        status
          ? statusLayer(status.value, status.timing, target.timeouts.rpcMs)
          : { layer: 'status', status: 'warn', startMs: rpcStart, durationMs: 0, summary: unreadable, evidence: { method: 'status' } },
      );
      layers.set(
        'channels',
        channels
          ? channelsLayer(channels.value, channels.timing, target.timeouts.channelsMs, config?.value)
          : { layer: 'channels', status: 'warn', startMs: rpcStart, durationMs: 0, summary: unreadable, evidence: { method: 'channels.status', channels: [] } },
      );
    }
    if (peer) layers.set('peer', await peer);
    const pathLayer = await path;
    if (pathLayer) layers.set('path', pathLayer);
    const pinged = pathLayer?.evidence?.tsmp?.ok === true || pathLayer?.evidence?.disco?.ok === true;
    const tailnetPolicy =
      policyProbe && pinged && (tcp.evidence?.error === 'timeout' || tcp.evidence?.error === 'unreachable')
        ? await policyProbe
            .evaluate({ gateway: target.name, port, ips: (layers.get('peer') as LayerOf<'peer'> | undefined)?.evidence?.tailscaleIPs ?? [], signal: budget })
            .catch(() => undefined)
        : undefined;
    const exposureEvidence = await exposure;
    if (botNode) layers.set('bot-node', botNodeForTarget(await botNode, layers.get('peer')));
    return finish(exposureEvidence, tailnetPolicy);
  }
  if (botNode) layers.set('bot-node', await botNode);
  return finish(undefined);

  function finish(exposureChecks: ProbeReport['exposureChecks'], tailnetPolicy?: ProbeReport['tailnetPolicy']): ProbeReport {
    const exposure = exposureChecks?.find((check) => check.tcp === 'open') ?? exposureChecks?.[0];
    const ordered = LAYER_ORDER.map((name) => layers.get(name) ?? placeholder(name));
    return {
      schema: 1,
      gateway: {
        name: target.name,
        url: target.url,
        host,
        port,
        ...(target.gatewayPort !== undefined && target.gatewayPort !== port ? { gatewayPort: target.gatewayPort } : {}),
        expectedVersion: target.expectedVersion,
        lastKnownGoodVersion: target.lastKnownGoodVersion,
        tokenEnv: target.tokenEnv,
        tokenPresent: target.token !== undefined,
        slowHandshakeMs: target.slowHandshakeMs,
      },
      startedAt: startedAt.toISOString(),
      durationMs: since(),
      budgetMs: target.timeouts.budgetMs,
      layers: markNotReached(ordered),
      ...(exposure ? { exposure, exposureChecks } : {}),
      ...(gatewayConfig ? { gatewayConfig } : {}),
      ...(tailnetPolicy ? { tailnetPolicy } : {}),
      ...(target.sameTokenAs?.length && target.token
        ? {
            tokenOwners: target.sameTokenAs.map(({ gateway, tokenEnv }) => ({
              gateway,
              via: 'config' as const,
              tokenEnv,
              fingerprint: tokenFingerprint(target.token!),
            })),
          }
        : {}),
      client: { version: CLAWOPS_VERSION, ...(deps.identity && target.device !== 'never' ? { deviceId: deps.identity.deviceId } : {}) },
    };
  }

  function placeholder(name: LayerName): LayerResult {
    if (name === 'path' && layers.get('peer')?.status === 'skipped') return skipped(name, 'not reached over the tailnet');
    if (name === 'bot-node' || name === 'peer' || name === 'path') {
      return deps.tailnet ? ({ ...notReached('handshake', 0), layer: name } as LayerResult) : skipped(name, 'no tailscaled configured on this node');
    }
    if (name === 'handshake' || name === 'health' || name === 'status' || name === 'channels') return notReached(name, since());
    return { layer: name, status: 'not-reached', startMs: since(), durationMs: 0, summary: 'not reached' };
  }
}

/**
 * Layers run overlapped, but the report reads as a ladder: after the first layer that failed,
 * a later failure is a consequence, shown as `not reached` (its evidence kept for diagnosis).
 * Later layers that succeeded keep `ok`: that is evidence too (HTML on /healthz but a working
 * WebSocket is a different story from both failing).
 */
export function markNotReached(layers: LayerResult[]): LayerResult[] {
  let failed = false;
  return layers.map((layer) => {
    if (layer.status !== 'failed') return layer;
    if (!failed) {
      failed = true;
      return layer;
    }
    return { ...layer, status: 'not-reached', summary: `not reached (${layer.summary})` };
  });
}
