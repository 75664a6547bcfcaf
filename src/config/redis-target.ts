import { AppError } from '../errors.js';
/**
 * Where Redis is: one server (`redis://`, `rediss://`) or a master found through Redis Sentinel
 * (`redis+sentinel://`). Every process (bot, worker, agent, the terminal's reminder) reads the
 * same string, so Sentinel works everywhere without a second code path.
 *
 *   redis+sentinel://[user:password@]host1:26379,host2:26379/<master name>[/<db>][?sentinelPassword=…&sentinelUsername=…&tls=true]
 *
 * or, from the environment, REDIS_SENTINELS=host1:26379,host2:26379 with REDIS_SENTINEL_NAME,
 * REDIS_SENTINEL_USERNAME/PASSWORD; REDIS_USERNAME/REDIS_PASSWORD authenticate at the master (or
 * the one server) without writing the password into REDIS_URL. Pure: no I/O.
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'sentinel';
      sentinels: Array<{ host: string; port: number }>;
      name: string;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      db?: number;
      tls: boolean;
    };

const SENTINEL_SCHEME = 'redis+sentinel:';
const DEFAULT_SENTINEL_PORT = 26379;
export const DEFAULT_SENTINEL_NAME = 'mymaster';

/** REDIS_URL (or the Sentinel settings) cannot be used; the message never echoes a password. */
export class RedisUrlError extends AppError {
  constructor(message: string) {
    super('REDIS_URL_INVALID', message);
  }
}

/** Parses REDIS_URL; throws RedisUrlError with a message fit for a person (never echoing a password). */
export function parseRedisTarget(url: string): RedisTarget {
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    try {
      new URL(url);
    } catch {
      throw new RedisUrlError('REDIS_URL: expected redis://[user:password@]host:port[/db]');
    }
    return { kind: 'server', url };
  }
  if (!url.startsWith(`${SENTINEL_SCHEME}//`)) {
    throw new RedisUrlError('REDIS_URL: expected a redis://, rediss:// or redis+sentinel:// URL');
  }
  const rest = url.slice(`${SENTINEL_SCHEME}//`.length);
  const match = /^(?:([^@/]*)@)?([^/?#]+)(?:\/([^/?#]*))?(?:\/(\d+))?(?:\?([^#]*))?$/.exec(rest);
  if (!match) throw new RedisUrlError('REDIS_URL: expected redis+sentinel://[user:password@]host:port[,host:port…]/<master name>[/db]');
  const [, userinfo, hostList, rawName, rawDb, query] = match;
  const sentinels = hostList!.split(',').map((entry) => parseHostPort(entry.trim()));
  const params = new URLSearchParams(query ?? '');
  const [user, pass] = userinfo === undefined ? [undefined, undefined] : splitUserinfo(userinfo);
  const name = rawName ? decodeURIComponent(rawName) : DEFAULT_SENTINEL_NAME;
  return {
    kind: 'sentinel',
    sentinels,
    name,
    ...(user ? { username: user } : {}),
    ...(pass ? { password: pass } : {}),
    ...(params.get('sentinelUsername') ? { sentinelUsername: params.get('sentinelUsername')! } : {}),
    ...(params.get('sentinelPassword') ? { sentinelPassword: params.get('sentinelPassword')! } : {}),
    ...(rawDb ? { db: Number(rawDb) } : {}),
    tls: params.get('tls') === 'true',
  };
}

function parseHostPort(entry: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(entry);
  const found = bracketed ?? plain;
  if (!found || !found[1]) throw new RedisUrlError(`REDIS_URL: a sentinel must be host:port, got ${JSON.stringify(entry)}`);
  const port = found[2] ? Number(found[2]) : DEFAULT_SENTINEL_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisUrlError(`REDIS_URL: sentinel port out of range in ${JSON.stringify(entry)}`);
  return { host: found[1], port };
}

function splitUserinfo(userinfo: string): [string | undefined, string | undefined] {
  const colon = userinfo.indexOf(':');
  const decode = (text: string) => (text === '' ? undefined : decodeURIComponent(text));
  return colon < 0 ? [decode(userinfo), undefined] : [decode(userinfo.slice(0, colon)), decode(userinfo.slice(colon + 1))];
}

export interface RedisEnv {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_USERNAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_USERNAME?: string;
  REDIS_PASSWORD?: string;
}

/**
 * The one REDIS_URL a process connects with, from the environment: REDIS_SENTINELS (when set)
 * makes a redis+sentinel:// URL; REDIS_USERNAME/REDIS_PASSWORD are added where the URL has none
 * (so a compose file or a systemd EnvironmentFile can keep the password in its own variable).
 */
export function redisUrlFromEnv(env: RedisEnv, fallback = 'redis://127.0.0.1:6379'): string {
  const set = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value : undefined);
  const username = set(env.REDIS_USERNAME);
  const password = set(env.REDIS_PASSWORD);
  const sentinels = set(env.REDIS_SENTINELS);
  if (sentinels) {
    if (set(env.REDIS_URL)) throw new RedisUrlError('set either REDIS_URL or REDIS_SENTINELS, not both');
    const userinfo = username || password ? `${encodeURIComponent(username ?? '')}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
    const params = new URLSearchParams();
    if (set(env.REDIS_SENTINEL_USERNAME)) params.set('sentinelUsername', env.REDIS_SENTINEL_USERNAME!);
    if (set(env.REDIS_SENTINEL_PASSWORD)) params.set('sentinelPassword', env.REDIS_SENTINEL_PASSWORD!);
    const query = params.size ? `?${params.toString()}` : '';
    const url = `${SENTINEL_SCHEME}//${userinfo}${sentinels.replace(/\s+/g, '')}/${encodeURIComponent(set(env.REDIS_SENTINEL_NAME) ?? DEFAULT_SENTINEL_NAME)}${query}`;
    parseRedisTarget(url);
    return url;
  }
  const url = set(env.REDIS_URL) ?? fallback;
  const target = parseRedisTarget(url);
  if (!username && !password) return url;
  if (target.kind === 'sentinel') {
    if (target.username || target.password) return url;
    const userinfo = `${encodeURIComponent(username ?? '')}${password ? `:${encodeURIComponent(password)}` : ''}@`;
    return url.replace(`${SENTINEL_SCHEME}//`, `${SENTINEL_SCHEME}//${userinfo}`);
  }
  const parsed = new URL(url);
  if (parsed.username || parsed.password) return url;
  if (username) parsed.username = encodeURIComponent(username);
  if (password) parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** For logs and readiness: where Redis is, without any credential. */
export function describeRedisTarget(url: string): string {
  try {
    const target = parseRedisTarget(url);
    if (target.kind === 'sentinel') return `sentinel ${target.name} via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
    const parsed = new URL(target.url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : ''}`;
  } catch {
    return 'an unparsable REDIS_URL';
  }
}
