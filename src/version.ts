import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Our own version, sent as `client.version` in the OpenClaw handshake and shown in reports. Found by
 * walking up from this module to clawops' package.json: the same code runs from src/ (tsx),
 * dist/src/ (tsc) and dist/bundle/ (the shipped bin).
 */
export const CLAWOPS_VERSION: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'clawops' && parsed.version) return parsed.version;
    } catch {
      // not here; keep walking
    }
    dir = dirname(dir);
  }
  return '0.0.0';
})();
