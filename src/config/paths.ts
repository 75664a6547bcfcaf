import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from './targets.js';

/** Where clawops keeps its device identity when the config does not say: the XDG state dir. */
export function defaultIdentityPath(env: Env): string {
  const stateHome = env.XDG_STATE_HOME && env.XDG_STATE_HOME.trim() !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(stateHome, 'clawops', 'device.json');
}

/**
 * The device identity's path, as every process resolves it: `identity.path` in the config, else
 * `$CLAWOPS_IDENTITY` (an empty value counts as unset), else the XDG default.
 */
export function identityPath(configured: string | undefined, env: Env): string {
  if (configured) return configured;
  return env.CLAWOPS_IDENTITY && env.CLAWOPS_IDENTITY.trim() !== '' ? env.CLAWOPS_IDENTITY : defaultIdentityPath(env);
}
