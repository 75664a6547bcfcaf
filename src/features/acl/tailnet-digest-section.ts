import type { Config } from '../../config/schema.js';
import { gatewayNames } from '../../config/targets.js';
import type { DigestSectionProvider } from '../../render/digest-section.js';
import { renderTailnetDigestSection } from './render/tailnet-digest.js';
import type { ExposureStore } from '../../state/exposure-record.js';
import type { AclAuditService } from './acl-service.js';

/**
 * The digest's `tailnet` section provider: the latest public-exposure probe of every gateway with
 * a publicAddress (from the worker's record in Redis) and a fresh ACL audit of every gateway.
 * A failing ACL audit is a line in the section, so the exposure findings still reach the digest.
 */
export interface TailnetDigestDeps {
  config: Config;
  exposures: Pick<ExposureStore, 'all'>;
  /** Absent: `tailscale.adminApi` is not configured. */
  acl?: AclAuditService;
}

export function createTailnetDigestSection(deps: TailnetDigestDeps): DigestSectionProvider {
  return {
    name: 'tailnet',
    async build(window) {
      const names = gatewayNames(deps.config);
      const withPublic = names.filter((name) => deps.config.gateways[name]?.publicAddress !== undefined);
      const [records, acl] = await Promise.all([withPublic.length ? deps.exposures.all() : Promise.resolve(new Map()), deps.acl?.audit({ gateways: names })]);
      const exposures = withPublic.map((gateway) => {
        const publicAddress = deps.config.gateways[gateway]!.publicAddress!;
        const latest = records.get(gateway);
        // A record for an address the config no longer names is stale, not a finding.
        return { gateway, publicAddress, ...(latest && latest.address === publicAddress ? { latest } : {}) };
      });
      return renderTailnetDigestSection({ window, exposures, ...(acl ? { acl } : {}) });
    },
  };
}
