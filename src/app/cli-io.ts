import { existsSync } from 'node:fs';
import type { Env } from '../config/targets.js';

/**
 * What every entry point shares: the process's stdio as plain functions (so each command stays a
 * testable function) and where the config file is. Apart from cli.ts so that the commands it
 * imports lazily (acl, the long-running processes) do not import it back.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

/** --config, else $CLAWOPS_CONFIG, else ./clawops.yaml when it exists; undefined: no config. */
export function configPathFrom(explicit: string | undefined, env: Env): string | undefined {
  if (explicit) return explicit;
  if (env.CLAWOPS_CONFIG && env.CLAWOPS_CONFIG.trim() !== '') return env.CLAWOPS_CONFIG;
  return existsSync('clawops.yaml') ? 'clawops.yaml' : undefined;
}
