import { readFile } from 'node:fs/promises';
import type { Config } from '../../../config/schema.js';
import type { Env } from '../../../config/targets.js';
import { parseRedisTarget } from '../../../config/redis-target.js';
import { secretVariables } from '../../../config/secret-variables.js';

/**
 * The secret values this process knows, to search a ticket bundle for: every gateway's token (from
 * the env var its config names), whatever else a `…Env` key of the config names (the Tailscale
 * admin API credential, `/probe` targets' tokens, the Redis passwords), the Slack and Redis
 * credentials, and the device tokens in the device identity file. Read at bundle time; nothing
 * here is stored or logged.
 */
const CREDENTIAL_ENV = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'OPENCLAW_GATEWAY_TOKEN',
  'TAILSCALE_API_KEY',
  'TAILSCALE_OAUTH_CLIENT_SECRET',
];

export async function knownSecrets(input: { config?: Config; env: Env; identityPath?: string }): Promise<string[]> {
  const values: Array<string | undefined> = [];
  for (const name of CREDENTIAL_ENV) values.push(input.env[name]);
  for (const [name, value] of Object.entries(input.env)) if (/(TOKEN|SECRET|PASSWORD|API_KEY)$/.test(name)) values.push(value);
  // Redis passwords inside REDIS_URL (one server or Sentinel); those clawops.yaml's `redis:` names come with secretVariables.
  const redisUrl = input.env.REDIS_URL;
  if (redisUrl) {
    try {
      const target = parseRedisTarget(redisUrl);
      if (target.kind === 'sentinel') values.push(target.password, target.sentinelPassword);
      else values.push(decodeURIComponent(new URL(target.url).password) || undefined);
    } catch {
      // Not a URL: nothing to take from it.
    }
  }
  if (input.config) for (const name of secretVariables(input.config)) values.push(input.env[name]);
  if (input.identityPath) values.push(...(await deviceTokens(input.identityPath)));
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value.trim() !== ''))];
}

async function deviceTokens(path: string): Promise<string[]> {
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > 1_000_000) return [];
    const file = JSON.parse(text) as { deviceTokens?: Record<string, { token?: unknown }> };
    return Object.values(file.deviceTokens ?? {}).flatMap((entry) => (typeof entry?.token === 'string' ? [entry.token] : []));
  } catch {
    return [];
  }
}
