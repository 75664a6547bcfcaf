import { REDACT_PATHS } from '../../../log.js';

/**
 * Every secret out of a ticket bundle before it leaves the process (PURE). Three nets, because a
 * bundle is pasted into tickets that live for years:
 * - a field whose name is one the logs redact (REDACT_PATHS: `token`, `deviceToken`, `password`,
 *   `authorization`, …) is replaced whatever it holds;
 * - every known secret value (the gateways' tokens from their env vars, the Slack and Redis
 *   credentials, device tokens) is replaced wherever it appears, inside any string;
 * - text shaped like a credential (`xoxb-…`, `xapp-…`, `tskey-…`, `Bearer …`, `token=…`) is replaced.
 * The token appears in reports only as its 12-hex fingerprint, which is kept: it is how the
 * evidence tells two tokens apart.
 */
export const REDACTED = '[redacted]';

/** Secret values shorter than this are not searched for: replacing "a" everywhere helps no one. */
const MIN_SECRET_LENGTH = 6;

const SECRET_FIELD_NAMES = new Set(
  REDACT_PATHS.map((path) => {
    const last = path.split('.').pop() ?? path;
    return last.replace(/^\[?["']?|["']?\]?$/g, '').toLowerCase();
  })
    .filter((name) => name !== '*' && name !== 'args')
    .concat(['cookie', 'x-slack-signature', 'devicetokens', 'privatekeypem', 'recoveryscope']),
);

/** Replaced whole: the credentials clawops is given (Slack bot, user and app tokens; Tailscale keys and client secrets). */
const WHOLE_CREDENTIALS: RegExp[] = [/\bxox[abposre]-[A-Za-z0-9-]{6,}/g, /\bxapp-[A-Za-z0-9-]{6,}/g, /\btskey-[A-Za-z0-9-]{6,}/g];
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const SECRET_PARAM = /\b(token|password|secret|apikey|api_key)=([^\s&"']{6,})/gi;
const REDIS_URL_PASSWORD = /\b(rediss?|redis\+sentinel):\/\/([^:/@\s]*):([^@/\s]+)@/g;

export function isSecretField(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name.toLowerCase());
}

export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...new Set(secrets)].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  for (const pattern of WHOLE_CREDENTIALS) out = out.replace(pattern, REDACTED);
  out = out.replace(AUTH_HEADER, (_match, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(SECRET_PARAM, (_match, name: string) => `${name}=${REDACTED}`);
  out = out.replace(REDIS_URL_PASSWORD, (_match, scheme: string, user: string) => `${scheme}://${user}:${REDACTED}@`);
  return out;
}

/** A deep copy with secret fields replaced and every string scrubbed (bounded depth: reports are shallow). */
export function scrubValue<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (depth > 64) return REDACTED as T;
  if (typeof value === 'string') return scrubText(value, secrets) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((item) => scrubValue(item, secrets, depth + 1)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[scrubText(key, secrets)] =
        isSecretField(key) && item !== undefined && item !== null && typeof item !== 'boolean' ? REDACTED : scrubValue(item, secrets, depth + 1);
    }
    return out as T;
  }
  return value;
}
