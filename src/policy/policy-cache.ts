import type { AdminApiClient } from '../tailscale/admin-api.js';
import { TailscaleApiError } from '../tailscale/admin-api.js';
import { parsePolicy, type Policy } from './policy.js';

/**
 * The tailnet policy as a check reads it: fetched from the admin API at most once per `ttlMs`,
 * shared by concurrent checks (one request in flight), re-parsed only when its ETag changed, and
 * a failure remembered for a few seconds so that an admin API outage does not cost every check a
 * round trip. A check never waits on this for long: the ladder starts it while TCP is still
 * pending and only when TCP may time out (src/probes/tailnet/policy-probe.ts).
 */
export type CachedPolicy = { ok: true; policy: Policy; etag: string; fetchedAt: number; stale: boolean } | { ok: false; message: string };

export interface PolicyCache {
  get(options?: { signal?: AbortSignal }): Promise<CachedPolicy>;
}

export interface PolicyCacheDeps {
  admin: Pick<AdminApiClient, 'getPolicy'>;
  /** How long a fetched policy is used without asking again (default 60 s). */
  ttlMs?: number;
  /** How long a failure is remembered (default 10 s). */
  failureTtlMs?: number;
  /** A policy older than the TTL is still used when a refresh fails, up to this age (default 10 min). */
  maxStaleMs?: number;
  now?: () => number;
}

export function createPolicyCache(deps: PolicyCacheDeps): PolicyCache {
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? 60_000;
  const failureTtlMs = deps.failureTtlMs ?? 10_000;
  const maxStaleMs = deps.maxStaleMs ?? 10 * 60_000;
  let current: Extract<CachedPolicy, { ok: true }> | undefined;
  let failure: { message: string; at: number } | undefined;
  let inFlight: Promise<CachedPolicy> | undefined;

  async function refresh(): Promise<CachedPolicy> {
    try {
      const file = await deps.admin.getPolicy();
      const fetchedAt = now();
      failure = undefined;
      if (current && current.etag === file.etag) {
        current = { ...current, fetchedAt, stale: false };
        return current;
      }
      const parsed = parsePolicy(file.hujson);
      if (!parsed.ok) {
        const message = `the policy file does not parse (${parsed.problems[0]?.message ?? 'invalid'})`;
        failure = { message, at: fetchedAt };
        return { ok: false, message };
      }
      current = { ok: true, policy: parsed.policy, etag: file.etag, fetchedAt, stale: false };
      return current;
    } catch (error) {
      const message = describe(error);
      failure = { message, at: now() };
      if (current && now() - current.fetchedAt <= maxStaleMs) return { ...current, stale: true };
      return { ok: false, message };
    }
  }

  return {
    get(options = {}) {
      const at = now();
      if (current && at - current.fetchedAt < ttlMs) return Promise.resolve(current);
      if (failure && at - failure.at < failureTtlMs) {
        return Promise.resolve(current && at - current.fetchedAt <= maxStaleMs ? { ...current, stale: true } : { ok: false, message: failure.message });
      }
      // One fetch for every waiting check, under the admin client's own deadline: one check giving
      // up (its signal) stops its own wait, not the fetch the others share.
      inFlight ??= refresh().finally(() => (inFlight = undefined));
      return options.signal ? untilAborted(inFlight, options.signal) : inFlight;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof TailscaleApiError) {
    const hint =
      error.code === 'unauthorized' ? ' (wrong or expired credential)' : error.code === 'forbidden' ? ' (the credential lacks the policy_file scope)' : '';
    return `reading the policy file: ${error.message}${hint}`;
  }
  return `reading the policy file: ${error instanceof Error ? error.message.slice(0, 200) : 'failed'}`;
}

function untilAborted(work: Promise<CachedPolicy>, signal: AbortSignal): Promise<CachedPolicy> {
  if (signal.aborted) return Promise.resolve({ ok: false, message: 'the check ended before the policy file arrived' });
  return new Promise((resolve) => {
    const onAbort = () => resolve({ ok: false, message: 'the check ended before the policy file arrived' });
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}
