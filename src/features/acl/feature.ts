import type { Config } from '../../config/schema.js';
import type { Env } from '../../config/targets.js';
import type { DigestSectionProvider } from '../../render/digest-section.js';
import type { ExposureStore } from '../../state/exposure-record.js';
import { adminApiFromConfig } from '../../tailscale/admin-api-config.js';
import { createAclAuditService, type AclAuditService } from './acl-service.js';
import { createTailnetDigestSection } from './tailnet-digest-section.js';

/**
 * The tailnet ACL audit as one slice: the service behind `/gateway acl` (absent when
 * `tailscale.adminApi` is not configured: the command then says how to configure it) and the
 * digest's `tailnet` section (public exposure from the worker's record, plus the audit when there is one).
 */
export interface AclFeature {
  acl?: AclAuditService;
  digestSection: DigestSectionProvider;
}

export interface AclFeatureDeps {
  config: Config;
  env: Env;
  exposures: Pick<ExposureStore, 'all'>;
}

export function createAclFeature(deps: AclFeatureDeps): AclFeature {
  const settings = deps.config.tailscale?.adminApi;
  const acl = settings ? createAclAuditService({ config: deps.config, admin: adminApiFromConfig(settings, deps.env) }) : undefined;
  return { ...(acl ? { acl } : {}), digestSection: createTailnetDigestSection({ config: deps.config, exposures: deps.exposures, acl }) };
}
