import { readFileSync } from 'node:fs';

/** Our own version, sent as `client.version` in the OpenClaw handshake and shown in reports. */
export const CLAWOPS_VERSION: string = (() => {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'clawops' && parsed.version) return parsed.version;
    } catch {
      // try the next layout (src/ under tsx, dist/src/ when built)
    }
  }
  return '0.0.0';
})();
