import { parseArgs } from 'node:util';
import { configPathFrom, type CliIo } from './cli-io.js';
import { loadConfigFile } from '../config/load.js';
import { gatewayNames, type Env } from '../config/targets.js';
import { ConfigError, UnknownGatewayError, UsageError } from '../errors.js';
import { suggest } from '../suggest.js';
import { renderAclForTerminal } from '../features/acl/render/acl-terminal.js';
import { adminApiFromConfig } from '../tailscale/admin-api-config.js';
import { aclFindingCount, createAclAuditService } from '../features/acl/acl-service.js';

/**
 * `clawops acl [NAME ...] [--config PATH] [--json] [--no-validate] [--no-color]`: the tailnet ACL
 * audit in a terminal (and in CI, against the policy GitOps repo's tailnet). Exit 0 no findings ·
 * 1 findings (too broad, missing deny test, failing policy tests) · 2 usage, configuration, or an
 * audit that could not run (no credential, the admin API refused or did not answer).
 */
export async function aclCommand(args: string[], env: Env, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { config: { type: 'string' }, json: { type: 'boolean' }, 'no-validate': { type: 'boolean' }, 'no-color': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const path = configPathFrom(values.config, env);
  if (!path) throw new UsageError('clawops acl needs a config file with tailscale.adminApi: pass --config PATH or set CLAWOPS_CONFIG');
  const config = await loadConfigFile(path);
  const known = gatewayNames(config);
  const names = positionals.length === 0 || positionals.includes('all') ? known : [...new Set(positionals)];
  for (const name of names) if (!known.includes(name)) throw new UnknownGatewayError(name, known, suggest(name, known));
  if (!config.tailscale?.adminApi)
    throw new ConfigError(`${path}: the ACL audit needs the Tailscale admin API`, [
      'tailscale.adminApi: add baseUrl and apiKeyEnv (or oauthClientIdEnv + oauthClientSecretEnv)',
    ]);

  const service = createAclAuditService({ config, admin: adminApiFromConfig(config.tailscale.adminApi, env) });
  const result = await service.audit({ gateways: names, ...(values['no-validate'] ? { validate: false } : {}) });
  if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const color = io.isTty && values['no-color'] !== true && env.NO_COLOR === undefined;
    (result.ok ? io.stdout : io.stderr)(renderAclForTerminal(result, { color }));
  }
  if (!result.ok) return 2;
  return aclFindingCount(result) > 0 ? 1 : 0;
}
