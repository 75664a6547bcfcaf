/**
 * clawops.yaml's `redis:` section: what it accepts, what it refuses (naming the path, never
 * repeating a password), how the environment overrides it key by key, the ioredis options the one
 * connection factory builds from the result, and that no Redis password reaches a log line.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { readEnvOptions } from '../../src/config/env.js';
import { REDIS_PRECEDENCE, parseRedisTarget, resolveRedis } from '../../src/config/redis-target.js';
import { newRedis } from '../../src/queue/connection.js';
import { knownSecrets } from '../../src/features/fingerprint/ticket/secrets.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';

const GATEWAYS = 'gateways:\n  prod:\n    url: ws://100.101.102.103:18789\n';
const PASSWORD = 'hunter2-redis-password-0123';
const SENTINEL_PASSWORD = 'sentinel-pass-4567';
/** A password pasted into the sentinel list, with no `@` to give it away. */
const PASTED = 'Zx81kQp2Lr7vTn4W!pw';

const withRedis = (body: string) => `redis:\n${body.replace(/^/gm, '  ')}\n${GATEWAYS}`;

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, 'clawops.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    return [configError.message, ...configError.issues];
  }
  throw new Error('expected the config to be refused');
}

describe('redis: in clawops.yaml', () => {
  it('takes one server, or sentinels with the master name, user names and the NAMES of the password variables', () => {
    const config = parseConfig(
      withRedis(
        [
          'sentinels: [100.64.0.1:26379, "[fd7a:115c::1]:26380", sentinel-3]',
          'name: clawops',
          'username: clawops-bot',
          'passwordEnv: CLAWOPS_REDIS_PASSWORD',
          'sentinelUsername: sentinel-user',
          'sentinelPasswordEnv: CLAWOPS_SENTINEL_PASSWORD',
          'tls: true',
        ].join('\n'),
      ),
      'clawops.yaml',
    );
    expect(config.redis).toEqual({
      sentinels: ['100.64.0.1:26379', '[fd7a:115c::1]:26380', 'sentinel-3'],
      name: 'clawops',
      username: 'clawops-bot',
      passwordEnv: 'CLAWOPS_REDIS_PASSWORD',
      sentinelUsername: 'sentinel-user',
      sentinelPasswordEnv: 'CLAWOPS_SENTINEL_PASSWORD',
      tls: true,
    });
    expect(parseConfig(withRedis('url: rediss://10.0.0.5:6380/2\nusername: bot'), 'clawops.yaml').redis).toEqual({
      url: 'rediss://10.0.0.5:6380/2',
      username: 'bot',
    });
    // A section whose keys are all commented out is no section.
    expect(parseConfig(`redis:\n  # url: redis://10.0.0.5:6379\n${GATEWAYS}`, 'clawops.yaml').redis).toBeUndefined();
  });

  it('names the path and what was expected: a bad sentinel, a port out of range, both url and sentinels, name without sentinels, a typo', () => {
    expect(issuesOf(withRedis('sentinels: [100.64.0.1:26379, "not a host"]'))).toEqual([
      'clawops.yaml: invalid configuration',
      'redis.sentinels[1]: expected host:port, got "not a host"',
    ]);
    expect(issuesOf(withRedis('sentinels: ["h:99999"]'))).toContain('redis.sentinels[0]: sentinel port out of range in "h:99999"');
    expect(issuesOf(withRedis('sentinels: []'))).toContain('redis.sentinels: expected at least one sentinel, host:port');
    expect(issuesOf(withRedis('url: redis://a:6379\nsentinels: [b:26379]'))).toContain('redis: give either url or sentinels, not both');
    expect(issuesOf(withRedis('url: redis://a:6379\nname: clawops'))).toContain(
      'redis.name: name applies to sentinels: list them (a URL carries its own master name)',
    );
    expect(issuesOf(withRedis('url: redis://a:6379\nsentinelPasswordEnv: X'))).toContain(
      'redis.sentinelPasswordEnv: sentinelPasswordEnv applies to sentinels: list them, or use a redis+sentinel:// url',
    );
    expect(issuesOf(withRedis('sentinel: [b:26379]'))[1]).toMatch(
      /^redis\.sentinel: unknown key \(did you mean sentinels\?\); expected one of url, sentinels, /,
    );
    expect(issuesOf(withRedis('url: http://a:6379'))).toContain(
      'redis.url: expected redis://host:port[/db], rediss://host:port[/db] or redis+sentinel://host:port[,host:port…]/<master name> (the value is not shown)',
    );
  });

  it('refuses a password in the file — as a key, inside the url, in a sentinel entry, or pasted as passwordEnv — and never repeats it', () => {
    const cases: Array<[string, RegExp]> = [
      [`password: ${PASSWORD}`, /^redis\.password: a literal password is not allowed in the config file; .* with passwordEnv/],
      [`sentinels: [a:26379]\nsentinelPassword: ${PASSWORD}`, /^redis\.sentinelPassword: a literal password is not allowed .* with sentinelPasswordEnv/],
      [`url: redis://bot:${PASSWORD}@10.0.0.5:6379`, /^redis\.url: a literal password is not allowed .*\(the URL is not shown\)$/],
      [`url: redis+sentinel://a:26379/m?sentinelPassword=${PASSWORD}`, /^redis\.url: a literal password is not allowed/],
      [`url: "http://:${PASSWORD}@a"`, /^redis\.url: expected redis:\/\/host:port/],
      [`sentinels: ["u:${PASSWORD}@a:26379"]`, /^redis\.sentinels\[0\]: expected host:port, got an entry that looks like a credential \(not shown\)$/],
      // A password pasted into the list without any `@`: shaped like a token, so not repeated either.
      [`sentinels: ["a:26379", "${PASTED}"]`, /^redis\.sentinels\[1\]: expected host:port, got an entry that looks like a credential \(not shown\)$/],
      [
        `passwordEnv: ${PASSWORD}`,
        /^redis\.passwordEnv: expected the NAME of an environment variable, e\.g\. CLAWOPS_REDIS_PASSWORD .*the value was not printed$/,
      ],
      ['passwordEnv: 20240601123456', /^redis\.passwordEnv: expected string, got a number \(not shown\)$/],
    ];
    for (const [body, expected] of cases) {
      const issues = issuesOf(withRedis(body));
      expect(
        issues.slice(1).some((line) => expected.test(line)),
        `${body} → ${issues.join(' | ')}`,
      ).toBe(true);
      expect(issues.join('\n')).not.toContain(PASSWORD);
      expect(issues.join('\n')).not.toContain('20240601123456');
      expect(issues.join('\n')).not.toContain(PASTED);
    }
    // The whole section given as a URL string: its type is named, not its text.
    const asString = issuesOf(`redis: "redis://:${PASSWORD}@10.0.0.5:6379"\n${GATEWAYS}`);
    expect(asString).toContain('redis: expected object, got a string (not shown)');
    expect(asString.join('\n')).not.toContain(PASSWORD);
    // Elsewhere a type error still shows the value (it is not a credential there).
    expect(issuesOf(`queue:\n  concurrency: "eight"\n${GATEWAYS}`)).toContain('queue.concurrency: expected number, got string "eight"');
  });
});

describe('the environment overrides redis: key by key', () => {
  const sentinelFile = {
    sentinels: ['100.64.0.1:26379', '100.64.0.2:26379'],
    name: 'clawops',
    username: 'bot',
    passwordEnv: 'CLAWOPS_REDIS_PASSWORD',
    sentinelPasswordEnv: 'CLAWOPS_SENTINEL_PASSWORD',
    tls: true,
  };
  const secrets = { CLAWOPS_REDIS_PASSWORD: PASSWORD, CLAWOPS_SENTINEL_PASSWORD: SENTINEL_PASSWORD };

  it('the file alone: Sentinel with the master name, the user, both passwords read from the variables it names, TLS', () => {
    const resolved = resolveRedis(secrets, sentinelFile);
    expect(resolved.from).toBe('config file');
    expect(parseRedisTarget(resolved.url)).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '100.64.0.1', port: 26379 },
        { host: '100.64.0.2', port: 26379 },
      ],
      name: 'clawops',
      username: 'bot',
      password: PASSWORD,
      sentinelPassword: SENTINEL_PASSWORD,
      tls: true,
    });
    expect(resolveRedis({}, { url: 'redis://10.0.0.5:6379', username: 'bot' })).toEqual({ url: 'redis://bot@10.0.0.5:6379', from: 'config file' });
    expect(resolveRedis({}, {})).toEqual({ url: 'redis://127.0.0.1:6379', from: 'default' });
    expect(resolveRedis({}, undefined)).toEqual({ url: 'redis://127.0.0.1:6379', from: 'default' });
  });

  it('REDIS_URL or REDIS_SENTINELS replaces the file’s target (and its tls); the other variables replace their keys', () => {
    // REDIS_URL wins over the file's sentinels; the file's user and password still apply to it.
    expect(resolveRedis({ ...secrets, REDIS_URL: 'redis://10.9.9.9:6379' }, sentinelFile)).toEqual({
      url: `redis://bot:${PASSWORD}@10.9.9.9:6379`,
      from: 'environment',
    });
    // REDIS_SENTINELS wins over the file's url; REDIS_SENTINEL_NAME over name; REDIS_PASSWORD over passwordEnv.
    const resolved = resolveRedis(
      { REDIS_SENTINELS: '127.0.0.1:26400', REDIS_SENTINEL_NAME: 'other', REDIS_PASSWORD: 'from-env', CLAWOPS_REDIS_PASSWORD: PASSWORD },
      { url: 'redis://10.0.0.5:6379', passwordEnv: 'CLAWOPS_REDIS_PASSWORD' },
    );
    expect(resolved.from).toBe('environment');
    expect(parseRedisTarget(resolved.url)).toMatchObject({
      kind: 'sentinel',
      sentinels: [{ host: '127.0.0.1', port: 26400 }],
      name: 'other',
      password: 'from-env',
      tls: false,
    });
    expect(parseRedisTarget(resolveRedis({ ...secrets, REDIS_USERNAME: 'env-user', REDIS_SENTINEL_PASSWORD: 'env-sp' }, sentinelFile).url)).toMatchObject({
      username: 'env-user',
      password: PASSWORD,
      sentinelPassword: 'env-sp',
    });
    // The sentinels' password joins a redis+sentinel:// URL that has none.
    expect(parseRedisTarget(resolveRedis(secrets, { url: 'redis+sentinel://a:26379/m', sentinelPasswordEnv: 'CLAWOPS_SENTINEL_PASSWORD' }).url)).toMatchObject({
      sentinelPassword: SENTINEL_PASSWORD,
    });
  });

  it('a password variable the file names but nobody set is refused at start, naming the key and the variable (not a late NOAUTH)', () => {
    expect(() => resolveRedis({}, sentinelFile)).toThrow(
      'redis.passwordEnv: CLAWOPS_REDIS_PASSWORD is not set in the environment (REDIS_PASSWORD, when set, is used instead)',
    );
    expect(() => resolveRedis({ CLAWOPS_REDIS_PASSWORD: PASSWORD }, sentinelFile)).toThrow('redis.sentinelPasswordEnv: CLAWOPS_SENTINEL_PASSWORD is not set');
    // Set through the override instead: fine.
    expect(() => resolveRedis({ REDIS_PASSWORD: 'x', REDIS_SENTINEL_PASSWORD: 'y' }, sentinelFile)).not.toThrow();
  });

  it('a bad environment value says it came from the environment and that the environment overrides the file', () => {
    let message = '';
    try {
      readEnvOptions({ REDIS_SENTINELS: `127.0.0.1:26379,u:${PASSWORD}@h:1` }, { url: 'redis://10.0.0.5:6379' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `REDIS_SENTINELS: expected host:port, got an entry that looks like a credential (not shown) (from the environment: ${REDIS_PRECEDENCE})`,
    );
    expect(REDIS_PRECEDENCE).toContain('override redis.url / redis.sentinels in the config file');
    expect(() => readEnvOptions({ REDIS_URL: 'redis://a:1', REDIS_SENTINELS: 'b:2' }, sentinelFile)).toThrow(
      'set either REDIS_URL or REDIS_SENTINELS, not both',
    );
  });

  it('readEnvOptions takes the section from the file it was given and says where Redis came from', () => {
    const options = readEnvOptions(secrets, sentinelFile);
    expect(options.redisFrom).toBe('config file');
    expect(parseRedisTarget(options.redisUrl)).toMatchObject({ kind: 'sentinel', name: 'clawops' });
    expect(readEnvOptions({ ...secrets, REDIS_URL: 'redis://10.1.1.1:6379' }, sentinelFile)).toMatchObject({
      redisUrl: `redis://bot:${PASSWORD}@10.1.1.1:6379`,
      redisFrom: 'environment',
    });
    expect(readEnvOptions({})).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', redisFrom: 'default' });
  });

  it('the one connection factory gives ioredis the sentinels, the master name and both credentials', () => {
    const redis = newRedis(resolveRedis(secrets, sentinelFile).url, { lazyConnect: true });
    try {
      expect(redis.options).toMatchObject({
        sentinels: [
          { host: '100.64.0.1', port: 26379 },
          { host: '100.64.0.2', port: 26379 },
        ],
        name: 'clawops',
        username: 'bot',
        password: PASSWORD,
        sentinelPassword: SENTINEL_PASSWORD,
        enableTLSForSentinelMode: true,
        failoverDetector: true,
      });
    } finally {
      redis.disconnect();
    }
  });
});

describe('Redis passwords never reach a log line or a ticket', () => {
  it('redacts a password wherever a config, options or environment object carries one', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    logger.info({ config: { redis: { password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD, url: 'redis://10.0.0.5:6379' } } }, 'config');
    logger.info({ redis: { password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD } }, 'section');
    logger.info({ options: { redisUrl: `redis://:${PASSWORD}@10.0.0.5:6379` }, redisUrl: `redis://:${PASSWORD}@h:1` }, 'options');
    logger.info({ env: { REDIS_PASSWORD: PASSWORD, REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD, REDIS_URL: `redis://:${PASSWORD}@h:1` } }, 'env');
    logger.info({ sentinelPassword: SENTINEL_PASSWORD, password: PASSWORD }, 'top level');
    await new Promise((resolve) => setImmediate(resolve));
    const text = lines.join('');
    expect(text.match(/\[redacted\]/g)?.length).toBe(11);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(SENTINEL_PASSWORD);
    // What is not a secret stays readable.
    expect(text).toContain('"url":"redis://10.0.0.5:6379"');
  });

  it('a ticket bundle is searched for the passwords the redis: section names and those inside a Sentinel URL', async () => {
    const config = parseConfig(withRedis('sentinels: [a:26379]\npasswordEnv: CLAWOPS_RPW\nsentinelPasswordEnv: CLAWOPS_SPW'), 'clawops.yaml');
    const found = await knownSecrets({ config, env: { CLAWOPS_RPW: 'rpw-value-1', CLAWOPS_SPW: 'spw-value-2' } });
    expect(found).toEqual(expect.arrayContaining(['rpw-value-1', 'spw-value-2']));
    const fromUrl = await knownSecrets({ env: { REDIS_URL: 'redis+sentinel://:m-pass-3@a:26379,b:26379/m?sentinelPassword=s-pass-4' } });
    expect(fromUrl).toEqual(expect.arrayContaining(['m-pass-3', 's-pass-4']));
  });
});
