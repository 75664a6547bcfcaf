import type { AdminApiSettings } from '../config/sections/tailscale.js';
import type { Env } from '../config/targets.js';
import { createAdminApiClient, type AdminApiAuth, type AdminApiClient } from './admin-api.js';

/**
 * The admin API client from `tailscale.adminApi` and the environment variables it names. A missing
 * variable is a value with a message that names the variable (never a value), so `clawops acl`
 * and `/gateway acl` can say what to set.
 */
export type AdminApiFromConfig = { ok: true; client: AdminApiClient } | { ok: false; problem: string };

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

export function adminAuthFromEnv(settings: AdminApiSettings, env: Env): { ok: true; auth: AdminApiAuth } | { ok: false; problem: string } {
  if (settings.apiKeyEnv) {
    const apiKey = read(env, settings.apiKeyEnv);
    if (!apiKey) return { ok: false, problem: `${settings.apiKeyEnv} (named by tailscale.adminApi.apiKeyEnv) is not set on this node` };
    return { ok: true, auth: { apiKey } };
  }
  const idEnv = settings.oauthClientIdEnv;
  const secretEnv = settings.oauthClientSecretEnv;
  if (!idEnv || !secretEnv) return { ok: false, problem: 'tailscale.adminApi names no credential (apiKeyEnv, or oauthClientIdEnv + oauthClientSecretEnv)' };
  const missing = [idEnv, secretEnv].filter((name) => !read(env, name));
  if (missing.length)
    return { ok: false, problem: `${missing.join(' and ')} (named by tailscale.adminApi) ${missing.length > 1 ? 'are' : 'is'} not set on this node` };
  return {
    ok: true,
    auth: { oauthClientId: read(env, idEnv)!, oauthClientSecret: read(env, secretEnv)!, ...(settings.oauthScopes ? { scopes: settings.oauthScopes } : {}) },
  };
}

export function adminApiFromConfig(settings: AdminApiSettings, env: Env, options: { fetch?: typeof fetch } = {}): AdminApiFromConfig {
  const auth = adminAuthFromEnv(settings, env);
  if (!auth.ok) return auth;
  return {
    ok: true,
    client: createAdminApiClient({
      baseUrl: settings.baseUrl,
      tailnet: settings.tailnet,
      auth: auth.auth,
      timeoutMs: settings.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
  };
}
