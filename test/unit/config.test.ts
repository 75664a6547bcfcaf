import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { DEFAULT_TIMEOUTS } from '../../src/config/schema.js';
import { OPENCLAW_DEFAULT_PORT, defaultTarget, gatewayNames, resolveTarget, urlTarget } from '../../src/config/targets.js';
import { ConfigError, UnknownGatewayError } from '../../src/errors.js';

const GOOD = `
defaults:
  timeouts:
    tcpMs: 2500
gateways:
  prod:
    url: wss://gw-prod.example-tailnet.ts.net
    tokenEnv: CLAWOPS_PROD_TOKEN
    expectedVersion: "2026.9.6"
    timeouts:
      handshakeMs: 8000
  staging:
    url: ws://100.101.102.103:18789
`;

/** The issues a config text produces (it must be invalid). */
function issuesOf(text: string): { message: string; issues: string[] } {
  try {
    parseConfig(text, 'clawops.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    return { message: configError.message, issues: configError.issues };
  }
  throw new Error('expected the config to be refused');
}

const gateway = (body: string) =>
  `gateways:\n  prod:\n${body
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;

describe('config: a good file', () => {
  const config = parseConfig(GOOD, 'clawops.yaml');

  it('parses with defaults merged', () => {
    expect(gatewayNames(config)).toEqual(['prod', 'staging']);
    expect(config.defaults.tokenEnv).toBe('OPENCLAW_GATEWAY_TOKEN');
    expect(config.defaults.slowHandshakeMs).toBe(2_000);
    expect(config.gateways.prod!.device).toBe('auto');
    expect(config.gateways.staging!.device).toBe('auto');
    expect(config.identity).toEqual({});
  });

  it('resolves a target: timeouts layered default → defaults → gateway, token read from the named env', () => {
    const prod = resolveTarget(config, 'prod', { CLAWOPS_PROD_TOKEN: 'prod-secret-value' });
    expect(prod).toMatchObject({
      name: 'prod',
      url: 'wss://gw-prod.example-tailnet.ts.net',
      tokenEnv: 'CLAWOPS_PROD_TOKEN',
      token: 'prod-secret-value',
      expectedVersion: '2026.9.6',
      device: 'auto',
      slowHandshakeMs: 2_000,
    });
    expect(prod.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, tcpMs: 2_500, handshakeMs: 8_000 });

    const staging = resolveTarget(config, 'staging', { OPENCLAW_GATEWAY_TOKEN: '  ' });
    expect(staging.tokenEnv).toBe('OPENCLAW_GATEWAY_TOKEN');
    expect(staging.token).toBeUndefined();
    expect(staging.timeouts).toEqual({ ...DEFAULT_TIMEOUTS, tcpMs: 2_500 });
  });

  it('the default timeouts', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({
      dnsMs: 2_000,
      tcpMs: 3_000,
      httpMs: 3_000,
      upgradeMs: 4_000,
      handshakeMs: 5_000,
      rpcMs: 5_000,
      channelsMs: 8_000,
      tailnetMs: 3_000,
      budgetMs: 15_000,
    });
  });
});

describe('config: bad files name the path and what was expected', () => {
  it('a non-WebSocket URL', () => {
    const { message, issues } = issuesOf(gateway('url: http://gw.example:18789'));
    expect(message).toBe('clawops.yaml: invalid configuration');
    expect(issues).toEqual(['gateways.prod.url: expected a ws:// or wss:// URL, got "http://gw.example:18789"']);
  });

  it('credentials in the URL', () => {
    expect(issuesOf(gateway('url: ws://gw.example:18789/?token=abc')).issues).toEqual([
      'gateways.prod.url: a gateway URL must not carry a token; name the token with tokenEnv',
    ]);
  });

  it('a literal token is refused, without echoing it', () => {
    const secret = 'sk-live-9f8e7d6c5b4a';
    const { message, issues } = issuesOf(gateway(`url: ws://gw.example:18789\ntoken: ${secret}`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^gateways\.prod\.token: /);
    expect(issues[0]).toContain('tokenEnv');
    expect(`${message}\n${issues.join('\n')}`).not.toContain(secret);
  });

  it('an unknown key suggests the right one', () => {
    const { issues } = issuesOf(gateway('url: ws://gw.example:18789\ntokn: CLAWOPS_PROD_TOKEN'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^gateways\.prod\.tokn: unknown key \(did you mean tokenEnv\?\); expected one of url, tokenEnv, /);
    // `token` is not advertised as a key one may use.
    expect(issues[0]).not.toMatch(/\btoken,/);
  });

  it('a secret pasted where a key goes is never repeated: not as an unknown key, a gateway name, nor in a path', () => {
    const secret = 'xoxb-1234567890-abcdefghijKLMNOP';
    for (const yaml of [
      gateway(`url: ws://gw.example:18789\n${secret}: x`),
      `${secret}:\n  x: 1\ngateways:\n  prod:\n    url: ws://gw.example:18789\n`,
      `gateways:\n  ${secret}:\n    url: 7\n`,
    ]) {
      const { message, issues } = issuesOf(yaml);
      expect(issues.length).toBeGreaterThan(0);
      expect(`${message}\n${issues.join('\n')}`).not.toContain(secret);
      expect(issues.join('\n')).toMatch(/looks like a credential/);
    }
    // The unknown key's line still says where and what was expected.
    expect(issuesOf(gateway(`url: ws://gw.example:18789\n${secret}: x`)).issues[0]).toMatch(
      /^gateways\.prod\.<a key that looks like a credential, not printed>: unknown key; expected one of url, tokenEnv, /,
    );
  });

  it('an unknown top-level key', () => {
    const { issues } = issuesOf(`gatways:\n  prod:\n    url: ws://gw.example:18789\n`);
    const line = issues.find((issue) => issue.startsWith('gatways: '));
    expect(line).toMatch(/^gatways: unknown key \(did you mean gateways\?\); expected one of .*\bdefaults\b.*\bgateways\b/);
  });

  it('a bad gateway name', () => {
    const { issues } = issuesOf(`gateways:\n  Prod Gateway:\n    url: ws://gw.example:18789\n`);
    expect(issues).toEqual(['gateways.Prod Gateway: gateway names are lower-case letters, digits, - and _ (max 63), got "Prod Gateway"']);
  });

  it('a bad environment variable name', () => {
    const { issues } = issuesOf(gateway('url: ws://gw.example:18789\ntokenEnv: prod-token'));
    // Not repeated: what is pasted there is often the token itself.
    expect(issues).toEqual([
      'gateways.prod.tokenEnv: expected the NAME of an environment variable, e.g. CLAWOPS_PROD_TOKEN (upper-case letters, digits and _), not the token itself; the value was not printed',
    ]);
  });

  it('a bad timeout', () => {
    const { issues } = issuesOf(gateway('url: ws://gw.example:18789\ntimeouts:\n  tcpMs: fast'));
    expect(issues).toEqual(['gateways.prod.timeouts.tcpMs: expected number, got string "fast"']);
  });

  it('no gateways', () => {
    expect(issuesOf('gateways: {}\n').issues).toEqual(['gateways: expected at least one gateway']);
    expect(issuesOf('defaults:\n  tokenEnv: OPENCLAW_GATEWAY_TOKEN\n').issues).toEqual(['gateways: expected record, got nothing (the key is missing)']);
  });

  it('invalid YAML gives line and column', () => {
    const { message, issues } = issuesOf('gateways:\n  prod:\n    url: "ws://gw.example:18789\n  staging: [\n');
    expect(message).toBe('clawops.yaml: not valid YAML');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('a duplicate key is invalid YAML', () => {
    const { issues } = issuesOf('gateways:\n  prod:\n    url: ws://a.example:1\n  prod:\n    url: ws://b.example:1\n');
    expect(issues[0]).toMatch(/^line 4, column 3: /);
  });
});

describe('config: files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawops-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file: "no such file"', async () => {
    const path = join(dir, 'absent.yaml');
    await expect(loadConfigFile(path)).rejects.toThrow(ConfigError);
    await expect(loadConfigFile(path)).rejects.toThrow(`${path}: no such file`);
  });

  it('a directory in its place (what Docker mounts for a missing file): says so and what to do', async () => {
    const path = join(dir, 'mounted.yaml');
    await mkdir(path);
    await expect(loadConfigFile(path)).rejects.toThrow(`${path}: is a directory, not a config file`);
    await expect(loadConfigFile(path)).rejects.toThrow('cp examples/clawops.yaml clawops.yaml');
  });

  it('an invalid file names itself', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, gateway('url: http://gw.example:18789'));
    await expect(loadConfigFile(path)).rejects.toMatchObject({
      message: `${path}: invalid configuration`,
      issues: ['gateways.prod.url: expected a ws:// or wss:// URL, got "http://gw.example:18789"'],
    });
  });

  it('examples/clawops.yaml parses', async () => {
    const example = fileURLToPath(new URL('../../examples/clawops.yaml', import.meta.url));
    const config = await loadConfigFile(example);
    expect(gatewayNames(config).length).toBeGreaterThan(0);
    for (const name of gatewayNames(config)) {
      const target = resolveTarget(config, name, {});
      expect(target.url).toMatch(/^wss?:\/\//);
      expect(target.token).toBeUndefined();
    }
  });
});

describe('targets', () => {
  const config = parseConfig(GOOD, 'clawops.yaml');

  it('an unknown name is an UnknownGatewayError with a suggestion', () => {
    let caught: unknown;
    try {
      resolveTarget(config, 'prdo', {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownGatewayError);
    const error = caught as UnknownGatewayError;
    expect(error.suggestion).toBe('prod');
    expect(error.known).toEqual(['prod', 'staging']);
    expect(error.message).toBe('No gateway named `prdo`. Did you mean `prod`?');
  });

  it('a name far from every gateway gets no suggestion', () => {
    expect(() => resolveTarget(config, 'warehouse', {})).toThrow(/^No gateway named `warehouse`\.$/);
  });

  it('defaultTarget: OpenClaw’s defaults', () => {
    const target = defaultTarget({});
    expect(target).toMatchObject({
      name: 'local',
      url: `ws://127.0.0.1:${OPENCLAW_DEFAULT_PORT}`,
      tokenEnv: 'OPENCLAW_GATEWAY_TOKEN',
      token: undefined,
      device: 'auto',
    });
    expect(target.timeouts).toEqual(DEFAULT_TIMEOUTS);
  });

  it('defaultTarget honours OPENCLAW_GATEWAY_PORT and OPENCLAW_GATEWAY_TOKEN', () => {
    const target = defaultTarget({ OPENCLAW_GATEWAY_PORT: '19001', OPENCLAW_GATEWAY_TOKEN: 'local-secret' });
    expect(target.url).toBe('ws://127.0.0.1:19001');
    expect(target.token).toBe('local-secret');
    expect(defaultTarget({ OPENCLAW_GATEWAY_PORT: 'not-a-port' }).url).toBe(`ws://127.0.0.1:${OPENCLAW_DEFAULT_PORT}`);
    expect(defaultTarget({ OPENCLAW_GATEWAY_PORT: '70000' }).url).toBe(`ws://127.0.0.1:${OPENCLAW_DEFAULT_PORT}`);
    expect(defaultTarget({ OPENCLAW_GATEWAY_URL: 'ws://127.0.0.2:18790' }).url).toBe('ws://127.0.0.2:18790');
  });

  it('urlTarget reads the named env', () => {
    expect(urlTarget('ws://100.101.102.103:18789', 'CLAWOPS_X_TOKEN', { CLAWOPS_X_TOKEN: 'x' })).toMatchObject({
      name: 'adhoc',
      tokenEnv: 'CLAWOPS_X_TOKEN',
      token: 'x',
    });
  });
});
