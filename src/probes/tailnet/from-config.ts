import type { TailscaleSettings } from '../../config/sections/tailscale.js';
import { createLocalApiClient } from '../../tailscale/local-api.js';
import { probeExposure } from '../exposure.js';
import type { LadderDeps } from '../ladder.js';
import { createTailnetLayers } from './layers.js';

/**
 * The ladder's tailnet side and exposure probe, built from the `tailscale:` section. The callers
 * (src/runtime.ts, src/cli.ts) decide whether a tailscaled is in play (`tailnetSettingsFor`); the
 * CLI imports this file only then, so that a plain `clawops check` loads none of it.
 */
export function ladderProbesFor(settings: TailscaleSettings | undefined, options: { exposure: boolean }): Pick<LadderDeps, 'tailnet' | 'exposure'> {
  const probes: Pick<LadderDeps, 'tailnet' | 'exposure'> = {};
  if (settings) {
    probes.tailnet = createTailnetLayers({
      localApi: createLocalApiClient({ socketPath: settings.socketPath, timeoutMs: settings.statusTimeoutMs }),
      statusTimeoutMs: settings.statusTimeoutMs,
      pingTimeoutMs: settings.pingTimeoutMs,
      relayThresholdMs: settings.relayThresholdMs,
      dns: {
        timeoutMs: settings.dns.timeoutMs,
        magicDnsResolver: settings.dns.magicDnsResolver,
        ...(settings.dns.systemResolvers ? { systemResolver: settings.dns.systemResolvers } : {}),
      },
    });
  }
  // The exposure probe needs no tailscaled: it runs for every gateway with a publicAddress.
  if (options.exposure) probes.exposure = (request) => probeExposure(request);
  return probes;
}
