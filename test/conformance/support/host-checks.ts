import { join } from 'node:path';
import { createChecker } from '../../../src/check/checker.js';
import type { AgentSettings } from '../../../src/config/agent-settings.js';
import { urlTarget } from '../../../src/config/targets.js';
import type { ExecFileFn } from '../../../src/host/exec-file.js';
import { runHostChecks } from '../../../src/host/run-host-checks.js';
import { connectToGateway } from '../../../src/openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../../../src/openclaw/device-identity.js';
import type { HostCheckResult } from '../../../src/queue/host-check-job.js';
import { ensureInstalled, type RealGateway } from './gateway-harness.js';

/**
 * The host agent's checks as `clawops agent` runs them, on this machine against the real Gateway:
 * the live socket table, the loopback ladder with a fresh device identity, the installed openclaw
 * found in the harness's install. systemd does not run the Gateway here, so `systemctl` and `npm`
 * are reported missing (values, not failures) and the install is named through `openclawRoots`.
 */
export async function agentChecksOn(gateway: RealGateway, token: string, dir: string, extra: Partial<AgentSettings> = {}): Promise<HostCheckResult> {
  const layout = await ensureInstalled();
  const identity = await loadOrCreateDeviceIdentity(join(dir, 'agent-device.json'));
  const agent: AgentSettings = {
    gateway: 'real',
    unit: 'openclaw-gateway',
    bind: 'loopback',
    port: gateway.port,
    tailnetAddresses: [],
    deadlineMs: 20_000,
    budgetMs: 19_000,
    doctor: false,
    firewall: false,
    tailnetPorts: [gateway.port],
    openclawRoots: [join(layout.appDir, 'node_modules')],
    ...extra,
  };
  const missing: ExecFileFn = async (file) => ({ ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` });
  const target = urlTarget(gateway.url, 'CONFORMANCE_TOKEN', { CONFORMANCE_TOKEN: token }, 'real');
  return runHostChecks(agent, target, { checker: createChecker({ connect: connectToGateway, identity }), exec: missing });
}
