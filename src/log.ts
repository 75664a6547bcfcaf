import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Every secret-bearing field name we know of. Redaction is by path, so the list names the shapes
 * that reach the logger: config objects, Slack payloads, HTTP headers, job data, errors.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'tokens',
  'auth',
  '*.auth',
  'password',
  '*.password',
  // clawops.yaml's redis: section (and ioredis options) under a config or options object.
  '*.*.password',
  'sentinelPassword',
  '*.sentinelPassword',
  '*.*.sentinelPassword',
  // The resolved Redis URL carries the password: it is logged only through describeRedisTarget.
  'redisUrl',
  '*.redisUrl',
  'REDIS_URL',
  '*.REDIS_URL',
  'REDIS_PASSWORD',
  '*.REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  '*.REDIS_SENTINEL_PASSWORD',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'clientSecret',
  '*.clientSecret',
  'oauthClientSecret',
  '*.oauthClientSecret',
  // The OAuth client's id is half its credential; access_token is what the exchange answers.
  'oauthClientId',
  '*.oauthClientId',
  'access_token',
  '*.access_token',
  'deviceToken',
  '*.deviceToken',
  'privateKey',
  '*.privateKey',
  'signingSecret',
  '*.signingSecret',
  'appToken',
  '*.appToken',
  'botToken',
  '*.botToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
  'x-slack-signature',
  '*.headers["x-slack-signature"]',
  // ioredis ReplyError carries the failed command with its arguments: for AUTH, the Redis password
  // from REDIS_URL (and every command queued behind a failed AUTH is rejected with that same error).
  'err.command.args',
  '*.command.args',
];

export interface LoggerDeps {
  level?: string;
  destination?: DestinationStream;
  base?: LoggerOptions['base'];
}

/** pino with redaction; tests pass a destination to capture lines instead of mocking the logger. */
export function createLogger({ level = 'info', destination, base }: LoggerDeps = {}): Logger {
  const options: LoggerOptions = {
    level,
    base: base ?? { app: 'clawops' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
