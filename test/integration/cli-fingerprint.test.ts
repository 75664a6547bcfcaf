/**
 * `clawops check`, `clawops fingerprint` and `clawops ticket` in a terminal, without Redis: the
 * fingerprints live in the state file beside the device identity (in the temp dir here), the fake
 * Gateway is upgraded between checks, and the ticket file written holds no token.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/app/cli.js';
import type { Env } from '../../src/config/targets.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';

const TOKEN = 'cli-fingerprint-token-5d2e8f1a9b';
const RECORDED_METHODS = (JSON.parse(readFileSync('test/fixtures/openclaw-2026.9.6/hello-ok.json', 'utf8')) as { features: { methods: string[] } }).features
  .methods;

async function run(argv: string[], env: Env): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTty: false });
  return { code, stdout, stderr };
}

describe('fingerprints in a terminal', () => {
  let dir: string;
  let gateway: FakeGateway;
  let env: Env;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawops-cli-fp-'));
    gateway = await startFakeGateway({ token: TOKEN, version: '2026.9.2' });
    config = join(dir, 'clawops.yaml');
    await writeFile(
      config,
      `identity:\n  path: ${join(dir, 'id', 'device.json')}\ngateways:\n  prod:\n    url: ${gateway.url}\n    tokenEnv: PROD_TOKEN\n    device: never\n`,
    );
    env = { PROD_TOKEN: TOKEN, XDG_STATE_HOME: join(dir, 'state') };
  });
  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('clawops check records the fingerprint in a private state file beside the device identity', async () => {
    const result = await run(['check', 'prod', '--config', config], env);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('since last good');
    const file = join(dir, 'id', 'fingerprints.json');
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"version":"2026.9.2"');
    expect(text).not.toContain(TOKEN);
  });

  it('after an upgrade that fails, clawops check prints what changed since the last good check', async () => {
    gateway.upgrade({ version: '2026.9.6', methods: RECORDED_METHODS.filter((method) => method !== 'sessions.reset') });
    gateway.setMode('token-rotated');
    const result = await run(['check', 'prod', '--config', config], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /since last good \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\): version 2026\.9\.2 → 2026\.9\.6 · methods \+0 −1 \(sessions\.reset gone\)/,
    );
  });

  it('clawops fingerprint --json: the current and last good fingerprints and the changes', async () => {
    const result = await run(['fingerprint', 'prod', '--config', config, '--json'], env);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as {
      gateway: string;
      current: { state: string; build: { version: string } };
      lastGood: { fingerprint: { build: { version: string } } };
      changes: Array<{ field: string; removed?: string[] }>;
    };
    expect(parsed.gateway).toBe('prod');
    expect(parsed.current).toMatchObject({ state: 'unhealthy', build: { version: '2026.9.6' } });
    expect(parsed.lastGood.fingerprint.build.version).toBe('2026.9.2');
    expect(parsed.changes.map((change) => change.field)).toEqual(['version', 'methods']);
    expect(parsed.changes[1]!.removed).toEqual(['sessions.reset']);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('clawops fingerprint in text, and a usage error for no name', async () => {
    const result = await run(['fingerprint', 'prod', '--config', config], env);
    expect(result.stdout).toContain('prod fingerprint');
    expect(result.stdout).toContain('changed since last good:');
    expect(result.stdout).toContain('version 2026.9.2 → 2026.9.6');
    const usage = await run(['fingerprint', '--config', config], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('clawops fingerprint NAME');
    const typo = await run(['fingerprint', 'prdo', '--config', config], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('prdo');
  });

  it('clawops ticket writes the bundle: the report, the fingerprint and its diff, no token', async () => {
    const output = join(dir, 'ticket.md');
    const result = await run(['ticket', 'prod', '--config', config, '--output', output], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${output}`);
    const content = await readFile(output, 'utf8');
    expect(content).toContain('# clawops ticket bundle: prod');
    expect(content).toContain('## Check report');
    expect(content).toContain('**Last good**');
    expect(content).toContain('version `2026.9.2` → `2026.9.6`');
    expect(content).toContain('`sessions.reset` gone');
    expect(content).toContain('## Appendix: check report (JSON)');
    expect(content).not.toContain(TOKEN);
    const unwritable = await run(['ticket', 'prod', '--config', config, '--output', join(dir, 'missing-dir', 'ticket.md')], env);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain('pass --output PATH');
  });
});
