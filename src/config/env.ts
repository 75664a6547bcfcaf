import * as z from 'zod';
import type { Env } from './targets.js';
import { RedisUrlError, resolveRedis, type RedisFileSettings, type RedisSource } from './redis-target.js';

/**
 * The process environment, read once at the composition root (probot's readEnvOptions). Secrets
 * stay here and go to the Slack client and nowhere else.
 */
const EnvSchema = z.object({
  REDIS_URL: z.string().optional(),
  /** Redis Sentinel instead of one server (src/config/redis-target.ts). */
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_NAME: z.string().optional(),
  REDIS_SENTINEL_USERNAME: z.string().optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  /** /healthz, /readyz, /metrics and /probe: host:port, or `off` (default loopback; anything else only when set, with a warning). */
  CLAWOPS_METRICS_ADDR: z
    .string()
    .regex(/^(off|\[[0-9a-fA-F:]+\]:\d{1,5}|[A-Za-z0-9.-]+:\d{1,5})$/, { error: 'CLAWOPS_METRICS_ADDR: expected host:port (e.g. 127.0.0.1:9464) or off' })
    .default('127.0.0.1:9464'),
  CLAWOPS_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('clawops'),
  CLAWOPS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_API_URL: z.string().url({ error: 'SLACK_API_URL: expected a URL like https://slack.com/api/' }).optional(),
  SLACK_MODE: z.enum(['socket', 'http']).optional(),
  SLACK_HTTP_HOST: z.string().default('127.0.0.1'),
  SLACK_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
});

export interface SlackEnv {
  mode: 'socket' | 'http';
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
  http: { host: string; port: number };
}

export interface EnvOptions {
  /** May carry a password: pass it to connections, never to a log (describeRedisTarget does that). */
  redisUrl: string;
  /** Where that came from: REDIS_* in the environment, clawops.yaml's `redis:`, or the default. */
  redisFrom: RedisSource;
  /** Where /healthz, /readyz, /metrics and /probe listen; undefined: not served. */
  healthAddr?: { host: string; port: number };
  redisPrefix: string;
  logLevel: string;
  slack?: SlackEnv;
  slackProblem?: string;
}

/** `redis` is clawops.yaml's `redis:` section, when the process read a config file: the environment overrides it. */
export function readEnvOptions(env: Env, redis?: RedisFileSettings): EnvOptions {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')));
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  const e = parsed.data;
  let resolved: { url: string; from: RedisSource };
  try {
    resolved = resolveRedis(env, redis);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new Error(error.message);
    throw error;
  }
  const mode = e.SLACK_MODE ?? (e.SLACK_APP_TOKEN ? 'socket' : e.SLACK_SIGNING_SECRET ? 'http' : 'socket');
  let slack: SlackEnv | undefined;
  let slackProblem: string | undefined;
  if (!e.SLACK_BOT_TOKEN) slackProblem = 'SLACK_BOT_TOKEN is not set';
  else if (mode === 'socket' && !e.SLACK_APP_TOKEN)
    slackProblem = 'Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write); or set SLACK_MODE=http with SLACK_SIGNING_SECRET';
  else if (mode === 'http' && !e.SLACK_SIGNING_SECRET) slackProblem = 'HTTP mode needs SLACK_SIGNING_SECRET';
  else {
    slack = {
      mode,
      botToken: e.SLACK_BOT_TOKEN,
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/` } : {}),
      http: { host: e.SLACK_HTTP_HOST, port: e.SLACK_HTTP_PORT },
    };
  }
  const healthAddr = e.CLAWOPS_METRICS_ADDR === 'off' ? undefined : splitHostPort(e.CLAWOPS_METRICS_ADDR);
  return {
    redisUrl: resolved.url,
    redisFrom: resolved.from,
    ...(healthAddr ? { healthAddr } : {}),
    redisPrefix: e.CLAWOPS_REDIS_PREFIX,
    logLevel: e.CLAWOPS_LOG_LEVEL,
    ...(slack ? { slack } : {}),
    ...(slackProblem ? { slackProblem } : {}),
  };
}

function splitHostPort(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  const host = addr.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(addr.slice(colon + 1));
  if (port > 65535) throw new Error('CLAWOPS_METRICS_ADDR: port out of range');
  return { host, port };
}
