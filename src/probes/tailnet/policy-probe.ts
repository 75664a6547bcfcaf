import type { LocalApiClient } from '../../tailscale/local-api.js';
import type { PolicyCache } from '../../policy/policy-cache.js';
import { evaluateReach, type NodeIdentity } from '../../policy/policy-reach.js';
import type { TailnetPolicyEvidenceData } from '../../report/report.js';

/**
 * The tailnet policy, evaluated for this node and one gateway port at check time. The ladder calls
 * `prefetch` only while a TCP connect to a tailnet gateway is still pending (a healthy check never
 * touches the admin API) and `evaluate` only when TSMP answered and TCP timed out — by then the
 * cached policy is there, so deciding "ACL or host firewall" costs the check no round trip.
 */
export interface TailnetPolicyProbe {
  prefetch(signal: AbortSignal): void;
  evaluate(request: { gateway: string; port: number; ips: readonly string[]; signal: AbortSignal }): Promise<TailnetPolicyEvidenceData>;
}

export interface TailnetPolicyProbeDeps {
  localApi: Pick<LocalApiClient, 'status'>;
  statusTimeoutMs: number;
  /** Absent: the policy cannot be read; `unavailable` says why and how to enable it. */
  cache?: PolicyCache;
  unavailable?: string;
  /** How the policy names a gateway (`aclTarget`, else `tailscale.acl.defaultTarget`). */
  aclTargetFor(gateway: string): string;
  now?: () => number;
}

export const NO_ADMIN_API =
  'the tailnet policy was not checked: no admin API configured (add tailscale.adminApi with apiKeyEnv, or an OAuth client with the policy_file:read scope)';

export function createTailnetPolicyProbe(deps: TailnetPolicyProbeDeps): TailnetPolicyProbe {
  const now = deps.now ?? Date.now;
  return {
    prefetch(signal) {
      void deps.cache?.get({ signal });
    },
    async evaluate({ gateway, port, ips, signal }) {
      if (!deps.cache) return { status: 'unavailable', reason: deps.unavailable ?? NO_ADMIN_API, node: [], otherRules: [], tests: [] };
      const [status, cached] = await Promise.all([deps.localApi.status({ signal, timeoutMs: deps.statusTimeoutMs }), deps.cache.get({ signal })]);
      if (!cached.ok) return { status: 'unavailable', reason: `the tailnet policy was not checked: ${cached.message}`, node: [], otherRules: [], tests: [] };
      if (!status.ok)
        return {
          status: 'unavailable',
          reason: `the tailnet policy was not checked: this node's identity is unreadable (${status.message})`,
          node: [],
          otherRules: [],
          tests: [],
        };
      const self = status.value.self;
      const login = self?.userId !== undefined ? status.value.users[String(self.userId)]?.loginName : undefined;
      const node: NodeIdentity = {
        tags: self?.tags ?? [],
        ...(login ? { user: login } : {}),
        ips: status.value.selfIPs.length ? status.value.selfIPs : (self?.tailscaleIPs ?? []),
      };
      const reach = evaluateReach(cached.policy, { name: gateway, target: deps.aclTargetFor(gateway), port, ips: [...ips] }, node);
      return {
        status: reach.allowed ? 'allows' : 'denies',
        node: reach.node,
        destination: reach.destination,
        // Bounded: a rule's JSON (a long dst list) is quoted, not copied whole.
        ...(reach.rule ? { rule: bounded(reach.rule, 400) } : {}),
        otherRules: reach.otherRules.map((rule) => bounded(rule, 200)),
        ...(reach.suggestion ? { suggestedGrant: reach.suggestion.grant, suggestedAcl: reach.suggestion.acl, preferred: reach.suggestion.preferred } : {}),
        tests: reach.tests.slice(0, 5).map((test) => ({ expect: test.expect, text: bounded(test.text, 300) })),
        policyAgeMs: Math.max(0, now() - cached.fetchedAt),
        ...(cached.stale ? { stale: true } : {}),
      };
    },
  };
}

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
