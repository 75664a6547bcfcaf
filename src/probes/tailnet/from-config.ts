import type { Config } from '../../config/schema.js';
import type { TailscaleSettings } from '../../config/sections/tailscale.js';
import type { Env } from '../../config/targets.js';
import { adminApiFromConfig } from '../../tailscale/admin-api-config.js';
import { createLocalApiClient } from '../../tailscale/local-api.js';
import { createPolicyCache } from '../../policy/policy-cache.js';
import { probeExposure } from '../exposure.js';
import type { LadderDeps } from '../ladder.js';
import { createTailnetLayers } from './layers.js';
import { createTailnetPolicyProbe, NO_ADMIN_API } from './policy-probe.js';

/**
 * The ladder's tailnet side and exposure probe, built from the `tailscale:` section. The callers
 * (src/app/composition-root.ts, src/app/cli.ts) decide whether a tailscaled is in play (`tailnetSettingsFor`); the
 * CLI imports this file only then, so that a plain `clawops check` loads none of it. With the
 * config and environment, the tailnet policy probe comes too (the admin API, when configured).
 */
export function ladderProbesFor(
  settings: TailscaleSettings | undefined,
  options: { exposure: boolean; config?: Config; env?: Env; fetch?: typeof fetch },
): Pick<LadderDeps, 'tailnet' | 'tailnetPolicy' | 'exposure'> {
  const probes: Pick<LadderDeps, 'tailnet' | 'tailnetPolicy' | 'exposure'> = {};
  if (settings) {
    const localApi = createLocalApiClient({ socketPath: settings.socketPath, timeoutMs: settings.statusTimeoutMs });
    const admin =
      options.config && options.env && settings.adminApi
        ? adminApiFromConfig(settings.adminApi, options.env, options.fetch ? { fetch: options.fetch } : {})
        : undefined;
    probes.tailnet = createTailnetLayers({
      localApi,
      statusTimeoutMs: settings.statusTimeoutMs,
      pingTimeoutMs: settings.pingTimeoutMs,
      relayThresholdMs: settings.relayThresholdMs,
      dns: {
        timeoutMs: settings.dns.timeoutMs,
        magicDnsResolver: settings.dns.magicDnsResolver,
        ...(settings.dns.systemResolvers ? { systemResolver: settings.dns.systemResolvers } : {}),
        ...(settings.dns.searchDomains ? { searchDomains: settings.dns.searchDomains } : {}),
      },
      ...(admin?.ok ? { dnsPreferences: ({ signal }: { signal: AbortSignal }) => admin.client.getDnsPreferences({ signal }) } : {}),
    });
    if (options.config && options.env) {
      const config = options.config;
      probes.tailnetPolicy = createTailnetPolicyProbe({
        localApi,
        statusTimeoutMs: settings.statusTimeoutMs,
        ...(admin?.ok
          ? { cache: createPolicyCache({ admin: admin.client }) }
          : { unavailable: admin ? `the tailnet policy was not checked: ${admin.problem}` : NO_ADMIN_API }),
        aclTargetFor: (gateway) => config.gateways[gateway]?.aclTarget ?? settings.acl.defaultTarget,
      });
    }
  }
  // The exposure probe needs no tailscaled: it runs for every gateway with a publicAddress.
  if (options.exposure) probes.exposure = (request) => probeExposure(request);
  return probes;
}
