import JSON5 from 'json5';
import type { z } from 'zod';
import { gatewayConfigFacts } from '../openclaw/gateway-config.js';
import type { GatewayConfigEvidence } from '../report/report.js';
import type { ReadTextFn } from './read-unit.js';
import { tokenFingerprint } from '../report/token-fingerprint.js';

/**
 * The Gateway's own openclaw.json on its host (JSON5, as OpenClaw reads it), reduced to the few
 * `gateway.*` settings that explain proxy failures. The file holds the Gateway token and channel
 * bot tokens: the parsed object goes to gatewayConfigFacts and no further, and the token leaves
 * only as its fingerprint. Never throws: an unreadable file is a value.
 */
export type GatewayConfigData = z.infer<typeof GatewayConfigEvidence>;

/** openclaw.json is a few KB; anything far beyond is not worth parsing on every check. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export async function readGatewayConfig(path: string, read: ReadTextFn): Promise<GatewayConfigData> {
  const base = { source: 'file' as const, path };
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...base, available: false, reason: code === 'ENOENT' ? 'missing' : `unreadable${code ? ` (${code})` : ''}` };
  }
  if (text.length > MAX_CONFIG_BYTES) return { ...base, available: false, reason: `larger than ${MAX_CONFIG_BYTES} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (error) {
    // JSON5's message names the line and column, never the content.
    const where = /at (\d+):(\d+)/.exec(error instanceof Error ? error.message : '');
    return { ...base, available: false, reason: `invalid JSON5${where ? ` at line ${where[1]}` : ''}` };
  }
  return { ...base, available: true, ...gatewayConfigFacts(parsed, tokenFingerprint) };
}
