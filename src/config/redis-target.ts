import { AppError } from '../errors.js';
import { looksLikeCredential } from './secret-env-name.js';
/**
 * Where Redis is: one server (`redis://`, `rediss://`) or a master found through Redis Sentinel
 * (`redis+sentinel://`). Every process (bot, worker, agent, the terminal's reminder) reads the
 * same string, so Sentinel works everywhere without a second code path.
 *
 *   redis+sentinel://[user:password@]host1:26379,host2:26379/<master name>[/<db>][?sentinelPassword=…&sentinelUsername=…&tls=true]
 *
 * or, from the environment, REDIS_SENTINELS=host1:26379,host2:26379 with REDIS_SENTINEL_NAME,
 * REDIS_SENTINEL_USERNAME/PASSWORD; REDIS_USERNAME/REDIS_PASSWORD authenticate at the master (or
 * the one server) without writing the password into REDIS_URL. Or from clawops.yaml's `redis:`
 * section (`resolveRedis`: the environment overrides it). Pure: no I/O.
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
  const sentinels = hostList!.split(',').map((entry) => parseHostPort(entry.trim(), 'REDIS_URL'));
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

function parseHostPort(entry: string, label: string): { host: string; port: number } {
  const parsed = parseSentinelAddress(entry);
  if (typeof parsed === 'string') throw new RedisUrlError(`${label}: ${parsed}`);
  return parsed;
}

/**
 * One sentinel, `host:port` (`[v6]:port`; the port defaults to 26379), or what is wrong with it —
 * naming the entry only when it cannot be a credential (no `@`, nothing shaped like a token: a
 * password pasted into the list), and at most 64 characters of it.
 */
export function parseSentinelAddress(entry: string): { host: string; port: number } | string {
  const shown =
    entry.includes('@') || looksLikeCredential(entry)
      ? 'an entry that looks like a credential (not shown)'
      : JSON.stringify(entry.length > 64 ? `${entry.slice(0, 64)}…` : entry);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(entry);
  const plain = /^([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(entry);
  const found = bracketed ?? plain;
  if (!found || !found[1]) return `expected host:port, got ${shown}`;
  const port = found[2] ? Number(found[2]) : DEFAULT_SENTINEL_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `sentinel port out of range in ${shown}`;
  return { host: found[1], port };
}

function splitUserinfo(userinfo: string): [string | undefined, string | undefined] {
  const colon = userinfo.indexOf(':');
  const decode = (text: string) => (text === '' ? undefined : decodeURIComponent(text));
  return colon < 0 ? [decode(userinfo), undefined] : [decode(userinfo.slice(0, colon)), decode(userinfo.slice(colon + 1))];
}

export interface RedisEnv {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_USERNAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
}

/**
 * Where Redis is and how to log in, from either source: each field optional. `sentinels` is the
 * `host:port,…` list (a Sentinel target); otherwise `url` (one server, or a redis+sentinel:// URL).
 * Credentials are added only where the URL carries none.
 */
interface RedisParts {
  url?: string | undefined;
  sentinels?: string | undefined;
  name?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  sentinelUsername?: string | undefined;
  sentinelPassword?: string | undefined;
  tls?: boolean | undefined;
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const set = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value : undefined);

/**
 * The one REDIS_URL a process connects with, from the environment: REDIS_SENTINELS (when set)
 * makes a redis+sentinel:// URL; REDIS_USERNAME/REDIS_PASSWORD are added where the URL has none
 * (so a compose file or a systemd EnvironmentFile can keep the password in its own variable).
 */
export function redisUrlFromEnv(env: RedisEnv, fallback = DEFAULT_REDIS_URL): string {
  if (set(env.REDIS_SENTINELS) && set(env.REDIS_URL)) throw new RedisUrlError('set either REDIS_URL or REDIS_SENTINELS, not both');
  return buildRedisUrl(
    {
      url: set(env.REDIS_URL),
      sentinels: set(env.REDIS_SENTINELS),
      name: set(env.REDIS_SENTINEL_NAME),
      username: set(env.REDIS_USERNAME),
      password: set(env.REDIS_PASSWORD),
      sentinelUsername: set(env.REDIS_SENTINEL_USERNAME),
      sentinelPassword: set(env.REDIS_SENTINEL_PASSWORD),
    },
    fallback,
    { url: 'REDIS_URL', sentinels: 'REDIS_SENTINELS' },
  );
}

/**
 * clawops.yaml's `redis:` section as the resolver reads it (validated by
 * src/config/sections/redis.ts). Passwords are never here, only the NAMES of the variables that
 * hold them.
 */
export interface RedisFileSettings {
  url?: string | undefined;
  sentinels?: readonly string[] | undefined;
  name?: string | undefined;
  username?: string | undefined;
  passwordEnv?: string | undefined;
  sentinelUsername?: string | undefined;
  sentinelPasswordEnv?: string | undefined;
  tls?: boolean | undefined;
}

export type RedisSource = 'environment' | 'config file' | 'default';

/** Said wherever an error could otherwise leave someone editing the file while the environment decides. */
export const REDIS_PRECEDENCE =
  'REDIS_URL / REDIS_SENTINELS in the environment override redis.url / redis.sentinels in the config file, and every other REDIS_* variable overrides its key';

/**
 * The Redis a process connects with, from the environment and clawops.yaml's `redis:` section.
 * The environment wins, key by key: REDIS_URL or REDIS_SENTINELS (either) replaces the file's
 * `url`/`sentinels` (and with them `tls`); REDIS_SENTINEL_NAME replaces `name`, REDIS_USERNAME
 * `username`, REDIS_PASSWORD the variable `passwordEnv` names, REDIS_SENTINEL_USERNAME and
 * REDIS_SENTINEL_PASSWORD the sentinel ones. Neither source: redis://127.0.0.1:6379.
 * Errors never echo a password; those about environment values say that they override the file.
 */
export function resolveRedis(env: RedisEnv & Record<string, string | undefined>, file?: RedisFileSettings): { url: string; from: RedisSource } {
  const envTarget = Boolean(set(env.REDIS_URL) || set(env.REDIS_SENTINELS));
  const fileTarget = Boolean(file?.url || file?.sentinels?.length);
  const from: RedisSource = envTarget ? 'environment' : fileTarget ? 'config file' : 'default';
  if (!file) return { url: redisUrlFromEnv(env), from };
  if (set(env.REDIS_SENTINELS) && set(env.REDIS_URL)) throw new RedisUrlError('set either REDIS_URL or REDIS_SENTINELS, not both');
  const named = (name: string | undefined) => (name ? set(env[name]) : undefined);
  const parts: RedisParts = {
    ...(envTarget ? { url: set(env.REDIS_URL), sentinels: set(env.REDIS_SENTINELS) } : { url: file.url, sentinels: file.sentinels?.join(','), tls: file.tls }),
    name: set(env.REDIS_SENTINEL_NAME) ?? file.name,
    username: set(env.REDIS_USERNAME) ?? file.username,
    password: set(env.REDIS_PASSWORD) ?? named(file.passwordEnv),
    sentinelUsername: set(env.REDIS_SENTINEL_USERNAME) ?? file.sentinelUsername,
    sentinelPassword: set(env.REDIS_SENTINEL_PASSWORD) ?? named(file.sentinelPasswordEnv),
  };
  let url: string;
  try {
    url = buildRedisUrl(parts, DEFAULT_REDIS_URL, { url: 'REDIS_URL', sentinels: 'REDIS_SENTINELS' });
  } catch (error) {
    // File values were validated when the file was read: what fails here came from the environment.
    if (error instanceof RedisUrlError && envTarget) throw new RedisUrlError(`${error.message} (from the environment: ${REDIS_PRECEDENCE})`);
    throw error;
  }
  // A password variable the file names but nobody set would only surface later as NOAUTH.
  const target = parseRedisTarget(url);
  const hasPassword = target.kind === 'sentinel' ? target.password !== undefined : new URL(target.url).password !== '';
  if (file.passwordEnv && !hasPassword)
    throw new RedisUrlError(`redis.passwordEnv: ${file.passwordEnv} is not set in the environment (REDIS_PASSWORD, when set, is used instead)`);
  if (file.sentinelPasswordEnv && target.kind === 'sentinel' && target.sentinelPassword === undefined)
    throw new RedisUrlError(
      `redis.sentinelPasswordEnv: ${file.sentinelPasswordEnv} is not set in the environment (REDIS_SENTINEL_PASSWORD, when set, is used instead)`,
    );
  return { url, from };
}

/** The URL for `parts`: a Sentinel list becomes redis+sentinel://; credentials join a URL that has none. */
function buildRedisUrl(parts: RedisParts, fallback: string, labels: { url: string; sentinels: string }): string {
  if (parts.sentinels) {
    const target: RedisTarget = {
      kind: 'sentinel',
      sentinels: parts.sentinels
        .split(',')
        .map((entry) => entry.trim())
        .map((entry) => parseHostPort(entry, labels.sentinels)),
      name: parts.name ?? DEFAULT_SENTINEL_NAME,
      ...(parts.username ? { username: parts.username } : {}),
      ...(parts.password ? { password: parts.password } : {}),
      ...(parts.sentinelUsername ? { sentinelUsername: parts.sentinelUsername } : {}),
      ...(parts.sentinelPassword ? { sentinelPassword: parts.sentinelPassword } : {}),
      tls: parts.tls === true,
    };
    return formatSentinelUrl(target);
  }
  const url = parts.url ?? fallback;
  const target = parseRedisTarget(url);
  if (target.kind === 'sentinel') {
    const added: RedisTarget = {
      ...target,
      ...(!target.username && !target.password && parts.username ? { username: parts.username } : {}),
      ...(!target.username && !target.password && parts.password ? { password: parts.password } : {}),
      ...(!target.sentinelUsername && !target.sentinelPassword && parts.sentinelUsername ? { sentinelUsername: parts.sentinelUsername } : {}),
      ...(!target.sentinelUsername && !target.sentinelPassword && parts.sentinelPassword ? { sentinelPassword: parts.sentinelPassword } : {}),
    };
    return JSON.stringify(added) === JSON.stringify(target) ? url : formatSentinelUrl(added);
  }
  if (!parts.username && !parts.password) return url;
  const parsed = new URL(url);
  if (parsed.username || parsed.password) return url;
  if (parts.username) parsed.username = encodeURIComponent(parts.username);
  if (parts.password) parsed.password = encodeURIComponent(parts.password);
  return parsed.toString();
}

function formatSentinelUrl(target: Extract<RedisTarget, { kind: 'sentinel' }>): string {
  const user = target.username ? encodeURIComponent(target.username) : '';
  const userinfo = target.username || target.password ? `${user}${target.password ? `:${encodeURIComponent(target.password)}` : ''}@` : '';
  const hosts = target.sentinels.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  const params = new URLSearchParams();
  if (target.sentinelUsername) params.set('sentinelUsername', target.sentinelUsername);
  if (target.sentinelPassword) params.set('sentinelPassword', target.sentinelPassword);
  if (target.tls) params.set('tls', 'true');
  const query = params.size ? `?${params.toString()}` : '';
  const url = `${SENTINEL_SCHEME}//${userinfo}${hosts}/${encodeURIComponent(target.name)}${target.db !== undefined ? `/${target.db}` : ''}${query}`;
  parseRedisTarget(url);
  return url;
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
