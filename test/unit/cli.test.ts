import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, configPathFrom, runCli, selectTargets } from '../../src/app/cli.js';
import { ONE_SHOT_COMMANDS } from '../../src/app/cli-usage.js';
import type { Env } from '../../src/config/targets.js';
import { UsageError } from '../../src/errors.js';
import type { Diagnosis } from '../../src/diagnosis/verdict.js';
import { ProbeReportSchema } from '../../src/report/report.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], env: Env = {}, isTty = false): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTty });
  return { code, stdout, stderr };
}

/** A port on which nothing listens: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return address.port;
}

const FAKE_TOKEN = 'fake-token-for-tests-7c1e9a';

let dir: string;
let validPath: string;
let invalidPath: string;
let env: Env;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawops-cli-'));
  validPath = join(dir, 'clawops.yaml');
  invalidPath = join(dir, 'invalid.yaml');
  await writeFile(
    validPath,
    'gateways:\n  prod:\n    url: ws://100.101.102.103:18789\n    tokenEnv: CLAWOPS_PROD_TOKEN\n  staging:\n    url: ws://100.101.102.104:18789\n',
  );
  await writeFile(invalidPath, 'gateways:\n  prod:\n    url: http://gw.example:18789\n');
  // The device identity goes to the temp dir, never to the home of whoever runs the tests.
  env = { CLAWOPS_IDENTITY: join(dir, 'device.json'), XDG_STATE_HOME: join(dir, 'state') };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('clawops help and usage errors', () => {
  it('help: exit 0 with the usage', async () => {
    const result = await run(['help'], env);
    expect(result.code).toBe(EXIT.healthy);
    expect(result.stdout).toContain('Usage:');
    expect(result.stdout).toContain('clawops check --url ws://HOST:PORT');
    expect(result.stderr).toBe('');
  });

  it('no command: the usage, exit 2', async () => {
    const result = await run([], env);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stdout).toContain('Usage:');
  });

  it('every command the compile cache names (ONE_SHOT_COMMANDS) is one the one-shot CLI answers', async () => {
    for (const command of ONE_SHOT_COMMANDS) {
      const result = await run([command, '--no-such-flag'], env);
      expect(result.code, command).toBe(EXIT.usage);
      expect(result.stderr, command).not.toMatch(/unknown command/);
    }
  });

  it('an unknown command: exit 2 with a clear message', async () => {
    const result = await run(['frobnicate'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('clawops: unknown command "frobnicate"\nRun `clawops help` for usage.\n');
    expect(result.stdout).toBe('');
  });

  it('an unknown option: exit 2', async () => {
    const result = await run(['check', '--frob'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frob'");
  });
});

describe('clawops config validate', () => {
  it('a valid file: exit 0, names the gateways and the unset token envs', async () => {
    const result = await run(['config', 'validate', '--config', validPath], { ...env, CLAWOPS_PROD_TOKEN: FAKE_TOKEN });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${validPath}: valid · 2 gateway(s): prod, staging`);
    expect(result.stdout).toContain('note: token env not set here for staging (OPENCLAW_GATEWAY_TOKEN)');
    expect(result.stdout).not.toContain(FAKE_TOKEN);
  });

  it('CLAWOPS_CONFIG names the file when --config does not', async () => {
    const result = await run(['config', 'validate'], { ...env, CLAWOPS_CONFIG: validPath });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${validPath}: valid`);
  });

  it('an invalid file: exit 2, the path and the issue on stderr', async () => {
    const result = await run(['config', 'validate', '--config', invalidPath], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${invalidPath}: invalid configuration`);
    expect(result.stderr).toContain('gateways.prod.url: expected a ws:// or wss:// URL, got "http://gw.example:18789"');
    expect(result.stdout).toBe('');
  });

  it('a missing file: exit 2, "no such file"', async () => {
    const path = join(dir, 'absent.yaml');
    const result = await run(['config', 'validate', '--config', path], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}: no such file`);
  });
});

describe('clawops check: target selection', () => {
  it('an unknown gateway name: exit 2 with a suggestion', async () => {
    const result = await run(['check', 'prdo', '--config', validPath], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No gateway named `prdo`. Did you mean `prod`?');
    expect(result.stderr).toContain('Known gateways: prod, staging.');
  });

  it('--url must be a WebSocket URL', async () => {
    const result = await run(['check', '--url', 'http://x'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--url: expected a ws:// or wss:// URL, got "http://x"');
  });

  it('selectTargets: --url with names is a usage error; --token-env must be an env name', () => {
    expect(() => selectTargets({ names: ['prod'], all: false, url: 'ws://127.0.0.1:18789' }, undefined, {})).toThrow(UsageError);
    expect(() => selectTargets({ names: [], all: false, url: 'ws://127.0.0.1:18789', tokenEnv: 'lower-case' }, undefined, {})).toThrow(
      /--token-env: expected the NAME of an environment variable/,
    );
    expect(selectTargets({ names: [], all: false }, undefined, { OPENCLAW_GATEWAY_PORT: '19001' })[0]!.url).toBe('ws://127.0.0.1:19001');
  });

  it('configPathFrom: --config, then CLAWOPS_CONFIG', () => {
    expect(configPathFrom('explicit.yaml', { CLAWOPS_CONFIG: 'from-env.yaml' })).toBe('explicit.yaml');
    expect(configPathFrom(undefined, { CLAWOPS_CONFIG: 'from-env.yaml' })).toBe('from-env.yaml');
  });
});

describe('clawops check against a closed port', () => {
  it('--json: exit 1, the diagnosis says refused, and no token value leaks', async () => {
    const port = await closedPort();
    const result = await run(['check', '--url', `ws://127.0.0.1:${port}`, '--json'], { ...env, OPENCLAW_GATEWAY_TOKEN: FAKE_TOKEN });
    expect(result.code).toBe(EXIT.unhealthy);
    const output = JSON.parse(result.stdout) as { report: unknown; diagnosis: Diagnosis };
    const report = ProbeReportSchema.parse(output.report);
    expect(report.gateway).toMatchObject({ name: 'adhoc', port, tokenEnv: 'OPENCLAW_GATEWAY_TOKEN', tokenPresent: true });
    expect(output.diagnosis.state).toBe('unhealthy');
    expect(output.diagnosis.failedLayer).toBe('tcp');
    expect(output.diagnosis.verdicts[0]?.id).toBe('refused');
    expect(output.diagnosis.verdicts[0]?.evidence).toContain(`TCP 127.0.0.1:${port} refused`);
    expect(output.diagnosis.verdicts[0]?.do).toContain(`lsof -nP -iTCP:${port} -sTCP:LISTEN`);
    expect(report.layers.find((layer) => layer.layer === 'handshake')?.status).toBe('not-reached');
    expect(`${result.stdout}${result.stderr}`).not.toContain(FAKE_TOKEN);
  });

  it('terminal output without a TTY: the layer table and the verdict, no ANSI codes', async () => {
    const port = await closedPort();
    const result = await run(['check', '--url', `ws://127.0.0.1:${port}`], env, false);
    expect(result.code).toBe(EXIT.unhealthy);
    expect(result.stdout).toContain(`adhoc  ws://127.0.0.1:${port}  UNHEALTHY`);
    expect(result.stdout).toMatch(/LAYER\s+RESULT\s+TIME\s+EVIDENCE/);
    expect(result.stdout).toMatch(new RegExp(`tcp\\s+FAILED\\s+\\S+ ms\\s+127\\.0\\.0\\.1:${port} refused`));
    expect(result.stdout).toMatch(/handshake\s+not reached/);
    expect(result.stdout).toContain('✗ refused — Connection refused');
    expect(result.stdout).toContain('what you see');
    expect(result.stdout).not.toContain('\u001b[');
  });
});
