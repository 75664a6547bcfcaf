import type { Config } from '../../config/schema.js';
import { DEFAULT_TAILSCALE_SETTINGS } from '../../config/sections/tailscale.js';
import { auditGatewayAccess, type AclAudit, type AuditGateway } from '../../policy/acl-audit.js';
import { auditTargetsFor } from './acl-targets.js';
import { TailscaleApiError, type AdminApiClient, type Device, type PolicyTestFailure } from '../../tailscale/admin-api.js';
import type { AdminApiFromConfig } from '../../tailscale/admin-api-config.js';
import { parsePolicy, type PolicyProblem } from '../../policy/policy.js';

/**
 * The ACL audit as `clawops acl`, `/gateway acl` and the digest run it: fetch the policy file
 * (HuJSON + ETag) and the devices from the admin API, audit every requested gateway, and
 * optionally run the policy's own `tests` through `acl/validate`. Failures are values with a
 * stage and a message (already redacted by the admin client); nothing here throws at a caller.
 */

export type ValidationOutcome =
  | { status: 'skipped' }
  | { status: 'passed' }
  /** validate answers 200 with the failures in its body. */
  | { status: 'failed'; message: string; failures: PolicyTestFailure[] }
  | { status: 'error'; message: string };

export type AclAuditResult =
  | {
      ok: true;
      at: string;
      tailnet: string;
      etag: string;
      gateways: AuditGateway[];
      audit: AclAudit;
      validation: ValidationOutcome;
      /** What the audit could not see (devices not listed, so IP-written rules are not matched). */
      notes: string[];
    }
  | {
      ok: false;
      at: string;
      /** config: no admin API or credential · fetch: the API failed · parse: the policy does not parse. */
      stage: 'config' | 'fetch' | 'parse';
      message: string;
      problems?: PolicyProblem[];
    };

export interface AclAuditRequest {
  gateways: readonly string[];
  /** Overrides `tailscale.acl.validate`. */
  validate?: boolean;
  signal?: AbortSignal;
}

export interface AclAuditService {
  audit(request: AclAuditRequest): Promise<AclAuditResult>;
}

export interface AclAuditServiceDeps {
  config: Config;
  /** Absent: `tailscale.adminApi` is not configured. */
  admin: AdminApiFromConfig | undefined;
  now?: () => number;
}

/** Findings that make `clawops acl` exit 1: audit findings and failed policy tests. */
export function aclFindingCount(result: AclAuditResult): number {
  if (!result.ok) return 0;
  return result.audit.findings.length + (result.validation.status === 'failed' ? Math.max(1, result.validation.failures.length) : 0);
}

function describeApiError(error: unknown, what: string): string {
  if (error instanceof TailscaleApiError) {
    const hint =
      error.code === 'unauthorized'
        ? ' (wrong or expired credential)'
        : error.code === 'forbidden'
          ? ' (the credential lacks the scope: policy_file, and devices:core for IP rules)'
          : '';
    return `${what}: ${error.message}${hint}`;
  }
  return `${what}: ${error instanceof Error ? error.message.slice(0, 200) : 'failed'}`;
}

async function validate(admin: AdminApiClient, hujson: string, signal: AbortSignal | undefined): Promise<ValidationOutcome> {
  try {
    const result = await admin.validatePolicy(hujson, { signal });
    return result.ok ? { status: 'passed' } : { status: 'failed', message: result.message, failures: result.failures };
  } catch (error) {
    return { status: 'error', message: describeApiError(error, 'acl/validate') };
  }
}

export function createAclAuditService(deps: AclAuditServiceDeps): AclAuditService {
  const now = deps.now ?? Date.now;
  const settings = deps.config.tailscale ?? DEFAULT_TAILSCALE_SETTINGS;
  return {
    async audit(request) {
      const at = new Date(now()).toISOString();
      if (!deps.admin) {
        return {
          ok: false,
          at,
          stage: 'config',
          message:
            'the ACL audit needs the Tailscale admin API: add tailscale.adminApi (baseUrl, apiKeyEnv or oauthClientIdEnv + oauthClientSecretEnv) to clawops.yaml',
        };
      }
      if (!deps.admin.ok) return { ok: false, at, stage: 'config', message: deps.admin.problem };
      const admin = deps.admin.client;
      const options = { signal: request.signal };
      const [policy, devices] = await Promise.allSettled([admin.getPolicy(options), admin.listDevices(options)]);
      if (policy.status === 'rejected') return { ok: false, at, stage: 'fetch', message: describeApiError(policy.reason, 'reading the policy file') };
      const parsed = parsePolicy(policy.value.hujson);
      if (!parsed.ok) return { ok: false, at, stage: 'parse', message: 'the policy file does not parse', problems: parsed.problems };

      const notes: string[] = [];
      let deviceList: Device[] | undefined;
      if (devices.status === 'fulfilled') deviceList = devices.value;
      else
        notes.push(
          `${describeApiError(devices.reason, 'devices not listed')}: rules written against tailnet IPs are matched only for address-literal gateways`,
        );
      const gateways = auditTargetsFor(deps.config, request.gateways, deviceList);
      const audit = auditGatewayAccess(parsed.policy, {
        gateways,
        maxGroupSize: settings.acl.maxGroupSize,
        ...(settings.acl.opsGroups ? { opsGroups: settings.acl.opsGroups } : {}),
        denyTestSource: settings.acl.denyTestSource,
      });
      const runValidate = request.validate ?? settings.acl.validate;
      const validation: ValidationOutcome = runValidate ? await validate(admin, policy.value.hujson, request.signal) : { status: 'skipped' };
      const tailnet = deps.config.tailscale?.adminApi?.tailnet ?? '-';
      return { ok: true, at, tailnet, etag: policy.value.etag, gateways, audit, validation, notes };
    },
  };
}
