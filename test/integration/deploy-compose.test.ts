/**
 * docker-compose.yml, Dockerfile and .dockerignore: the deployment as shipped. No Docker engine
 * runs where the tests run, so `docker compose up` is not exercised; what can be is:
 *  - the structure that makes it work (read as YAML): the identity volume owned by the image's
 *    user, the config a bind mount that must exist, tokens and the Redis password from env files,
 *    a persistent ACL file, nothing published on a public interface;
 *  - `docker-compose config` (Debian's docker-compose, installed by .ci/run) accepts the file with
 *    the steps of the README done, and refuses it, naming the file, without them.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> };
const clawops = compose.services.clawops!;
const redis = compose.services.redis!;
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'clawops-compose-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('docker-compose.yml as read', () => {
  it('mounts clawops.yaml as a bind that must exist (no directory is made in its place)', () => {
    const volumes = clawops.volumes as Array<string | Record<string, unknown>>;
    expect(volumes).toContainEqual({
      type: 'bind',
      source: './clawops.yaml',
      target: '/etc/clawops/clawops.yaml',
      read_only: true,
      bind: { create_host_path: false },
    });
    expect(clawops.command).toEqual(['start', '--config', '/etc/clawops/clawops.yaml']);
  });

  it('keeps the device identity in a named volume at the XDG state dir the image creates owned by its user', () => {
    expect(clawops.volumes).toContain('clawops-state:/var/lib/clawops');
    expect((clawops.environment as Record<string, string>).XDG_STATE_HOME).toBe('/var/lib/clawops');
    const dockerfile = read('Dockerfile');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    const owned = runtimeStage.indexOf('install -d -o node -g node -m 0700 /var/lib/clawops /var/lib/clawops/clawops');
    expect(owned).toBeGreaterThan(0);
    expect(runtimeStage.indexOf('USER node')).toBeGreaterThan(owned);
    expect(runtimeStage).toContain('ENV XDG_STATE_HOME=/var/lib/clawops');
  });

  it('takes tokens and the Redis password from env files, never from the compose file', () => {
    expect(clawops.env_file).toEqual(['redis.env', 'clawops.env']);
    expect(redis.env_file).toEqual(['redis.env']);
    const environment = JSON.stringify(clawops.environment);
    expect(environment).not.toMatch(/TOKEN|PASSWORD|xox|xapp/);
    expect((clawops.environment as Record<string, string>).REDIS_URL).toBe('redis://127.0.0.1:6379');
    for (const example of ['examples/clawops.env', 'examples/redis.env']) expect(read(example)).toMatch(/^[A-Z_]+=/m);
  });

  it('runs Redis through the entrypoint that sets the password, keeps the ACL file in the data volume and binds where REDIS_BIND says', () => {
    expect(redis.entrypoint).toEqual(['sh', '/usr/local/bin/clawops-redis-entrypoint.sh']);
    expect(redis.volumes).toEqual(['redis-data:/data', './deploy/redis-entrypoint.sh:/usr/local/bin/clawops-redis-entrypoint.sh:ro']);
    const script = read('deploy/redis-entrypoint.sh');
    expect(script).toContain('--aclfile "$acl"');
    expect(script).toContain('--appendonly yes');
    expect(script).toContain('--bind ${REDIS_BIND:-127.0.0.1}');
    expect(`${script}${read('examples/redis.env')}`).not.toMatch(/--bind[ "]*0\.0\.0\.0|REDIS_BIND=.*0\.0\.0\.0/);
    expect(clawops.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });

  it('watches clawops with /readyz on the loopback metrics address (health and /metrics stay on loopback)', () => {
    const addr = (clawops.environment as Record<string, string>).CLAWOPS_METRICS_ADDR;
    expect(addr).toBe('127.0.0.1:9464');
    const test = (clawops.healthcheck as { test: string[] }).test.join(' ');
    expect(test).toContain(`http://${addr}/readyz`);
    expect(test).toContain('r.ok ? 0 : 1');
  });

  it('publishes nothing: host networking, no ports', () => {
    for (const service of [clawops, redis]) {
      expect(service.network_mode).toBe('host');
      expect(service.ports).toBeUndefined();
    }
  });

  it('.dockerignore keeps secrets, site config and build output out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.git', 'node_modules', 'dist', 'clawops.yaml', '*.env', '.env']) expect(ignored).toContain(entry);
  });
});

describe('docker-compose config', () => {
  // Debian's docker-compose is v1, which predates `bind.create_host_path` (Compose v2's `docker
  // compose` has it): the copy validated here leaves that one option out, and only that.
  const copy = (dir: string) => {
    mkdirSync(join(dir, 'deploy'), { recursive: true });
    copyFileSync(join(root, 'deploy/redis-entrypoint.sh'), join(dir, 'deploy/redis-entrypoint.sh'));
    const text = read('docker-compose.yml');
    const withoutOption = text.replace(/\n\s+bind:\n\s+create_host_path: false/, '');
    expect(withoutOption).not.toBe(text);
    writeFileSync(join(dir, 'docker-compose.yml'), withoutOption);
  };

  it('refuses without the env files of the README steps, naming the missing one', async () => {
    const dir = join(work, 'bare');
    copy(dir);
    const refused = await run('docker-compose', ['config', '--quiet'], { cwd: dir }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code ?? 1, stderr: error.stderr ?? '' }),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Couldn't find env file: .*redis\.env/);
  });

  it('accepts the file once clawops.yaml, clawops.env and redis.env are copied from examples/', async () => {
    const dir = join(work, 'ready');
    copy(dir);
    for (const file of ['clawops.yaml', 'clawops.env', 'redis.env']) copyFileSync(join(root, 'examples', file), join(dir, file));
    const { stdout } = await run('docker-compose', ['config'], { cwd: dir });
    const resolved = parse(stdout) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(Object.keys(resolved.services).sort()).toEqual(['clawops', 'redis']);
    // The env files reached the services (clawops gets the Redis password to add to REDIS_URL).
    expect(resolved.services.clawops!.environment).toMatchObject({ REDIS_PASSWORD: expect.any(String), SLACK_BOT_TOKEN: expect.any(String) });
    expect(resolved.services.redis!.environment).toMatchObject({ REDIS_PASSWORD: expect.any(String) });
    expect(resolved.services.redis!.environment).not.toHaveProperty('SLACK_BOT_TOKEN');
  });
});
