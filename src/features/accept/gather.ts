import type { Config } from '../../config/schema.js';
import { DEFAULT_TAILSCALE_SETTINGS } from '../../config/sections/tailscale.js';
import { gatewayPortOf } from '../../config/targets.js';
import { diagnose } from '../../diagnosis/diagnose.js';
import type { ProbeReport } from '../../report/report.js';
import type { CheckResult } from '../../check/checker.js';
import type { AclAuditAnswer, AclAuditPort } from './acl-port.js';
import type { AcceptFacts } from './facts.js';
import type { FingerprintLookup } from './fingerprint-lookup.js';

/**
 * Gathers the facts for one gateway's checklist: one fresh check (the ladder from this node, the
 * host agent asked at the same moment), the ACL audit and the latest fingerprint, side by side.
 * Every source that fails becomes a fact that says so; nothing here throws at the caller except
 * the check itself.
 */
export interface GatherDeps {
  config: Config;
  /** One fresh check of the gateway (with the host agent's evidence when it has one and it can be asked). */
  check(gateway: string): Promise<ProbeReport>;
  /** Why the host agent cannot be asked from this process (a terminal without Redis); absent: it can. */
  hostAgentNotAsked?: string;
  acl?: AclAuditPort;
  fingerprints?: FingerprintLookup;
  /** Why there is no fingerprint store here, and what to do (said on the fingerprint line). */
  fingerprintHint?: string;
  /**
   * Every check result feeds history as any check does (and the fingerprint, when that is wired),
   * before the lookup: with the diagnosis the checklist shows, so it is made once.
   */
  record?: (result: CheckResult) => Promise<void>;
  now: () => number;
}

export const ACL_HINT = 'add `tailscale.adminApi` (baseUrl, and apiKeyEnv or oauthClientIdEnv + oauthClientSecretEnv, with policy_file:read) to clawops.yaml';
export const FINGERPRINT_HINT =
  'success fingerprints are kept by the bot in Redis (`clawops start`) and by `clawops check` in its state directory; this process has neither wired';

function urlPortOf(url: string): number {
  const parsed = new URL(url);
  if (parsed.port) return Number(parsed.port);
  return parsed.protocol === 'wss:' ? 443 : 80;
}

export async function gatherAcceptFacts(deps: GatherDeps, gateway: string): Promise<AcceptFacts> {
  const configured = deps.config.gateways[gateway];
  if (!configured) throw new Error(`no gateway named ${gateway}`);
  const checkedAt = deps.now();
  const aclAudit: Promise<AclAuditAnswer> | undefined = deps.acl?.audit({ gateways: [gateway] }).catch((error: unknown): AclAuditAnswer => ({
    ok: false,
    at: new Date(deps.now()).toISOString(),
    stage: 'fetch',
    message: error instanceof Error ? error.message.slice(0, 200) : 'failed',
  }));
  const report = await deps.check(gateway);
  // The checklist's one diagnosis of its own fresh check: recorded as the checklist shows it.
  const diagnosis = diagnose(report);
  if (deps.record) await deps.record({ report, diagnosis }).catch(() => undefined);
  let fingerprint: AcceptFacts['fingerprint'];
  if (!deps.fingerprints) fingerprint = { available: false, hint: deps.fingerprintHint ?? FINGERPRINT_HINT };
  else {
    try {
      const latest = await deps.fingerprints.latest(gateway);
      fingerprint = { available: true, ...(latest ? { latest } : {}) };
    } catch (error) {
      fingerprint = { available: true, error: error instanceof Error ? error.message.slice(0, 200) : 'failed' };
    }
  }
  const agent = configured.agent;
  const opsSources = (deps.config.tailscale ?? DEFAULT_TAILSCALE_SETTINGS).acl.opsGroups;
  return {
    gateway,
    url: configured.url,
    urlPort: urlPortOf(configured.url),
    gatewayPort: gatewayPortOf(configured),
    checkedAt,
    report,
    verdict: { state: diagnosis.state, ...(diagnosis.verdicts[0] ? { primary: diagnosis.verdicts[0].id } : {}), headline: diagnosis.headline },
    agent:
      agent && agent.enabled
        ? { configured: true, bind: agent.bind, ...(deps.hostAgentNotAsked ? { notAsked: deps.hostAgentNotAsked } : {}) }
        : { configured: false },
    ...(configured.publicAddress ? { publicAddress: configured.publicAddress } : {}),
    acl: aclAudit ? { configured: true, result: await aclAudit, ...(opsSources ? { opsSources } : {}) } : { configured: false, hint: ACL_HINT },
    fingerprint,
  };
}
