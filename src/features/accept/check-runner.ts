import { existsSync } from 'node:fs';
import { runJointCheck } from '../../check/joint-check.js';
import { createChecker } from '../../check/checker.js';
import { resolveAgentSettings } from '../../config/agent-settings.js';
import type { Config } from '../../config/schema.js';
import { tailnetSettingsFor } from '../../config/sections/tailscale.js';
import { resolveTarget, type Env } from '../../config/targets.js';
import { connectToGateway } from '../../openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../../openclaw/device-identity.js';
import type { DeviceIdentity } from '../../openclaw/types.js';
import { identityPath } from '../../config/paths.js';
import type { LadderDeps } from '../../probes/ladder.js';
import type { ProbeReport } from '../../report/report.js';
import { ladderProbesFor } from '../../probes/tailnet/from-config.js';
import type { HostCheckRequester } from '../../queue/host-check-requester.js';

/**
 * The check behind the checklist: the same ladder a `/gateway check` runs (tailnet layers, the
 * exposure probe on `publicAddress`), from this node, with the host agent asked at the same moment
 * when the gateway has one and this process can reach its queue. Always a fresh probe: a checklist
 * for a change ticket must not reuse another request's result.
 */
export interface AcceptCheckInput {
  config: Config;
  env: Env;
  hostChecks?: HostCheckRequester;
  /** Test seams (TLS CAs, lookups), as the runtime's. */
  ladder?: Partial<LadderDeps>;
  now?: () => number;
  /** Told once when the device identity is unavailable (the check then runs token-only). */
  onIdentityProblem?: (message: string) => void;
}

export async function createAcceptCheck(input: AcceptCheckInput): Promise<(gateway: string) => Promise<ProbeReport>> {
  const { config, env } = input;
  let identity: DeviceIdentity | undefined;
  if (Object.values(config.gateways).some((gateway) => gateway.device !== 'never')) {
    try {
      identity = await loadOrCreateDeviceIdentity(identityPath(config.identity.path, env));
    } catch (error) {
      input.onIdentityProblem?.(error instanceof Error ? error.message : String(error));
    }
  }
  const now = input.now ?? Date.now;
  const checker = createChecker({
    connect: connectToGateway,
    identity,
    now: () => new Date(now()),
    ...ladderProbesFor(tailnetSettingsFor(config.tailscale, existsSync), { exposure: true, config, env }),
    ...input.ladder,
  });
  return (gateway) =>
    runJointCheck(
      { checker, ...(input.hostChecks ? { hostChecks: input.hostChecks } : {}) },
      resolveTarget(config, gateway, env),
      resolveAgentSettings(config, gateway),
    );
}
