import type { Config } from './schema.js';

/**
 * Every environment variable a config names as holding a secret — the values of its `…Env` keys
 * (secret-env-name.ts), defaults included: the gateways' and `/probe` targets' `tokenEnv`, the
 * Tailscale admin API credential, the Redis passwords. Names only; whoever must keep the secrets
 * out of something (the ticket bundle's scrub) reads the values from the environment itself.
 * A new `…Env` key belongs here too (test/unit/secret-env-name.test.ts walks the schema for them).
 */
export function secretVariables(config: Config): string[] {
  const names: Array<string | undefined> = [config.defaults.tokenEnv];
  for (const gateway of Object.values(config.gateways)) names.push(gateway.tokenEnv);
  for (const target of config.metrics.probe.targets) names.push(target.tokenEnv);
  const admin = config.tailscale?.adminApi;
  names.push(admin?.apiKeyEnv, admin?.oauthClientIdEnv, admin?.oauthClientSecretEnv);
  names.push(config.redis?.passwordEnv, config.redis?.sentinelPasswordEnv);
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}
