import * as z from 'zod';
import { parseRedisTarget, parseSentinelAddress } from '../redis-target.js';
import { secretEnvName } from '../secret-env-name.js';

/**
 * `redis:` in clawops.yaml — where Redis is, for every process that reads this file (bot,
 * worker, start, agent, and `clawops check`/`accept` in a terminal): one server (`url`), or a
 * master found through Redis Sentinel (`sentinels` + `name`). The environment overrides it key by
 * key (src/config/redis-target.ts, `resolveRedis`). Passwords never live here: the section names
 * the variables that hold them (`passwordEnv`, `sentinelPasswordEnv`), and a literal password —
 * as a key or inside `url` — is refused without being repeated in the error.
 */

const LITERAL_PASSWORD = 'a literal password is not allowed in the config file; put it in an environment variable and name it';

/** Declared so that the refusal is precise (not "unknown key") and typed `unknown` so it is never suggested. */
const refused = z.unknown().optional();

const SentinelAddress = z.string().superRefine((value, ctx) => {
  const parsed = parseSentinelAddress(value.trim());
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** A user name as Redis ACLs take it (no spaces, no control characters). */
const UserName = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, { error: 'expected a Redis user name (printable, no spaces, at most 128 characters)' })
  .optional();

const RedisUrl = z.string().superRefine((value, ctx) => {
  let target: ReturnType<typeof parseRedisTarget>;
  try {
    target = parseRedisTarget(value);
  } catch {
    // The URL itself is not repeated: it may carry a password.
    ctx.addIssue({
      code: 'custom',
      message: 'expected redis://host:port[/db], rediss://host:port[/db] or redis+sentinel://host:port[,host:port…]/<master name> (the value is not shown)',
    });
    return;
  }
  const carriesPassword =
    target.kind === 'sentinel' ? target.password !== undefined || target.sentinelPassword !== undefined : new URL(target.url).password !== '';
  if (carriesPassword) ctx.addIssue({ code: 'custom', message: `${LITERAL_PASSWORD} with passwordEnv (and sentinelPasswordEnv) (the URL is not shown)` });
});

export const RedisConfigSchema = z
  .object({
    /** One server (`redis://`, `rediss://` for TLS), or a `redis+sentinel://` URL — without a password. */
    url: RedisUrl.optional(),
    /** Redis Sentinel: the sentinels, `host:port` (port default 26379); ioredis asks them for the master. */
    sentinels: z.array(SentinelAddress).min(1, { error: 'expected at least one sentinel, host:port' }).max(32).optional(),
    /** The master's name as the sentinels know it (default `mymaster`). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, {
        error: (issue) => `expected a master name (letters, digits, . _ -), got ${JSON.stringify(String(issue.input).slice(0, 64))}`,
      })
      .optional(),
    /** The ACL user at the master (or the one server); default Redis's `default`. */
    username: UserName,
    /** The variable holding that user's password. */
    passwordEnv: z.optional(secretEnvName('CLAWOPS_REDIS_PASSWORD', 'the password')),
    /** The sentinels' own ACL user and password variable, when the sentinels require one. */
    sentinelUsername: UserName,
    sentinelPasswordEnv: z.optional(secretEnvName('CLAWOPS_REDIS_SENTINEL_PASSWORD', 'the password')),
    /** TLS to the sentinels and the master (with `sentinels`; a URL says it itself: rediss://, ?tls=true). */
    tls: z.boolean().optional(),
    password: refused,
    sentinelPassword: refused,
  })
  .strict()
  .superRefine((redis, ctx) => {
    if (redis.password !== undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: `${LITERAL_PASSWORD} with passwordEnv (e.g. passwordEnv: REDIS_PASSWORD)` });
    if (redis.sentinelPassword !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['sentinelPassword'],
        message: `${LITERAL_PASSWORD} with sentinelPasswordEnv (e.g. sentinelPasswordEnv: REDIS_SENTINEL_PASSWORD)`,
      });
    if (redis.url !== undefined && redis.sentinels !== undefined) ctx.addIssue({ code: 'custom', message: 'give either url or sentinels, not both' });
    const sentinelUrl = redis.url?.startsWith('redis+sentinel:') === true;
    const viaSentinels = redis.sentinels !== undefined;
    for (const key of ['name', 'tls'] as const) {
      if (redis[key] !== undefined && !viaSentinels)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} applies to sentinels: list them (a URL carries its own ${key === 'name' ? 'master name' : 'scheme'})`,
        });
    }
    for (const key of ['sentinelUsername', 'sentinelPasswordEnv'] as const) {
      if (redis[key] !== undefined && !viaSentinels && !sentinelUrl)
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to sentinels: list them, or use a redis+sentinel:// url` });
    }
    if (redis.url !== undefined && redis.username !== undefined) {
      const target = safeTarget(redis.url);
      const urlUser = target?.kind === 'sentinel' ? target.username : target ? new URL(target.url).username : undefined;
      if (urlUser) ctx.addIssue({ code: 'custom', path: ['username'], message: 'the url names a user already; give it in one place' });
    }
  });
export type RedisConfig = z.infer<typeof RedisConfigSchema>;

function safeTarget(url: string): ReturnType<typeof parseRedisTarget> | undefined {
  try {
    return parseRedisTarget(url);
  } catch {
    return undefined;
  }
}
