import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecker } from '../../src/check/checker.js';
import { runCli } from '../../src/app/cli.js';
import { runJointCheck } from '../../src/check/joint-check.js';
import { createUnitTokenBook } from '../../src/check/unit-token-book.js';
import { resolveAgentSettings, type AgentSettings } from '../../src/config/agent-settings.js';
import { parseConfig } from '../../src/config/load.js';
import { resolveTarget, urlTarget } from '../../src/config/targets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { HostCheckRequester } from '../../src/queue/host-check-requester.js';
import type { Diagnosis } from '../../src/diagnosis/verdict.js';
import type { ExecFileFn } from '../../src/host/exec-file.js';
import { runHostChecks } from '../../src/host/run-host-checks.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import type { ProbeReport } from '../../src/report/report.js';
import { descendants, startRealGateway, type RealGateway } from './support/gateway-harness.js';

/**
 * Two REAL OpenClaw Gateways on one host (the runbook's "second test instance"): different ports,
 * different tokens. With the tokens swapped in the environment, each check is rejected by the real
 * Gateway and the verdict says whose token it was; the host agent's listener matrix names each
 * Gateway's process. Two Gateways (≈0.85 GB each) are the most one file starts; if either cannot
 * start, beforeAll throws and the file fails — never skips.
 */

const PROD_TOKEN = `prod-${Math.random().toString(36).slice(2)}-token`;
const STAGING_TOKEN = `staging-${Math.random().toString(36).slice(2)}-token`;
let prod: RealGateway;
let staging: RealGateway;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawops-two-gateways-'));
  const started = await Promise.allSettled([startRealGateway({ token: PROD_TOKEN }), startRealGateway({ token: STAGING_TOKEN })]);
  for (const result of started) if (result.status === 'fulfilled') prod ? (staging = result.value) : (prod = result.value);
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
});

afterAll(async () => {
  await Promise.all([prod?.stop(), staging?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function configText(): string {
  const options = '    timeouts: { handshakeMs: 15000, budgetMs: 20000 }\n    device: never\n';
  return `tailscale:\n  enabled: false\ngateways:\n  prod:\n    url: ${prod.url}\n    tokenEnv: PROD_TOKEN\n${options}  staging:\n    url: ${staging.url}\n    tokenEnv: STAGING_TOKEN\n${options}`;
}

function cliIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text), isTty: false }, out, err };
}

describe('two real Gateways on one host', () => {
  it("staging's token in prod's variable: the real Gateway rejects it and the verdict says it is staging's", async () => {
    const config = join(dir, 'clawops.yaml');
    await writeFile(config, configText());
    // The classic copy-paste: PROD_TOKEN was filled from the staging Gateway's config.
    const env = { PROD_TOKEN: STAGING_TOKEN, STAGING_TOKEN, CLAWOPS_IDENTITY: join(dir, 'device.json') };
    const validate = cliIo();
    expect(await runCli(['config', 'validate', '--config', config], env, validate.io)).toBe(0);

    const { io, out } = cliIo();
    expect(await runCli(['check', 'prod', 'staging', '--config', config, '--json'], env, io)).toBe(1);
    const results = JSON.parse(out.join('')) as Array<{ report: ProbeReport; diagnosis: Diagnosis }>;
    const byName = new Map(results.map((result) => [result.report.gateway.name, result]));
    const { report, diagnosis } = byName.get('prod')!;
    // The real Gateway's own rejection: AUTH_TOKEN_MISMATCH, close 1008.
    expect(report.layers.find((layer) => layer.layer === 'handshake')).toMatchObject({
      status: 'failed',
      evidence: { error: { detailsCode: 'AUTH_TOKEN_MISMATCH' }, close: { code: 1008 } },
    });
    const primary = diagnosis.verdicts[0]!;
    expect(primary.id).toBe('auth-rejected');
    expect(primary.evidence[0]).toBe("this is staging's token: prod was sent a token that belongs to staging");
    expect(primary.suspect).toContain("PROD_TOKEN holds staging's token, not prod's");
    // staging, with its own token, answers (token-only over loopback keeps operator.read).
    expect(byName.get('staging')!.diagnosis.verdicts.map((verdict) => verdict.id)).not.toContain('auth-rejected');
    expect(out.join('')).not.toContain(STAGING_TOKEN);

    // The same file with one address for both is refused unless marked as aliases.
    const clash = join(dir, 'clash.yaml');
    await writeFile(
      clash,
      `gateways:\n  prod:\n    url: ${prod.url}\n    tokenEnv: PROD_TOKEN\n  staging:\n    url: ${prod.url.replace('127.0.0.1', 'localhost')}\n    tokenEnv: STAGING_TOKEN\n`,
    );
    const refused = cliIo();
    expect(await runCli(['config', 'validate', '--config', clash], env, refused.io)).toBe(2);
    expect(refused.err.join('')).toContain('gateways.staging.url: the same host and port as prod');
  });

  it("fully swapped variables: with each host agent's unit fingerprint, each verdict names the other Gateway", async () => {
    const config = parseConfig(`${configText()}`.replace(/    device: never\n/g, '    device: never\n    agent: {}\n'), 'clawops.yaml');
    const env = { PROD_TOKEN: STAGING_TOKEN, STAGING_TOKEN: PROD_TOKEN };
    const unitTokens = createUnitTokenBook();
    // Each Gateway's unit as `systemctl show` prints it (recorded shape): the token each REAL Gateway runs with.
    const unitFor = (token: string) =>
      [
        'LoadState=loaded',
        'ActiveState=active',
        'SubState=running',
        'FragmentPath=/etc/systemd/system/openclaw-gateway.service',
        'NeedDaemonReload=no',
        `Environment=OPENCLAW_GATEWAY_TOKEN=${token}`,
      ].join('\n') + '\n';
    const hostChecks: HostCheckRequester = {
      async request(name) {
        const gateway = name === 'prod' ? prod : staging;
        const exec: ExecFileFn = async (file) =>
          file === 'systemctl'
            ? { ok: true, stdout: unitFor(gateway === prod ? PROD_TOKEN : STAGING_TOKEN), stderr: '' }
            : { ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` };
        const agent = { ...resolveAgentSettings(config, name)!, port: gateway.port, tailnetPorts: [gateway.port], firewall: false };
        const result = await runHostChecks(agent, resolveTarget(config, name, env), { checker: createChecker({ connect: connectToGateway }), exec });
        return { status: 'answered', result, waitedMs: 1 };
      },
      close: async () => undefined,
    };
    const checker = createChecker({ connect: connectToGateway });
    const run = (name: string) => runJointCheck({ checker, hostChecks, unitTokens }, resolveTarget(config, name, env), resolveAgentSettings(config, name));
    // The first round learns each unit's fingerprint; from then on a rejected token is named.
    await Promise.all([run('prod'), run('staging')]);
    for (const [name, other] of [
      ['prod', 'staging'],
      ['staging', 'prod'],
    ] as const) {
      const report = await run(name);
      const primary = diagnose(report).verdicts[0]!;
      expect(primary.id).toBe('auth-rejected');
      expect(primary.evidence[0]).toBe(`this is ${other}'s token: ${name} was sent a token that belongs to ${other}`);
      expect(primary.evidence.join('\n')).toContain(`is the one ${other}'s systemd unit gives its Gateway (its host agent)`);
      expect(JSON.stringify(report)).not.toContain(PROD_TOKEN);
      expect(JSON.stringify(report)).not.toContain(STAGING_TOKEN);
    }
  });

  it("the host agent's listener matrix names each Gateway's process (socket inode → pid)", async () => {
    const missing: ExecFileFn = async (file) => ({ ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` });
    for (const gateway of [prod, staging]) {
      const agent: AgentSettings = {
        gateway: 'real',
        unit: 'openclaw-gateway',
        bind: 'loopback',
        port: gateway.port,
        tailnetAddresses: [],
        deadlineMs: 20_000,
        budgetMs: 19_000,
        doctor: false,
        firewall: false,
        tailnetPorts: [gateway.port],
        openclawRoots: [],
      };
      const token = gateway === prod ? PROD_TOKEN : STAGING_TOKEN;
      const target = urlTarget(gateway.url, 'CONFORMANCE_TOKEN', { CONFORMANCE_TOKEN: token }, 'real');
      const result = await runHostChecks(agent, target, { checker: createChecker({ connect: connectToGateway }), exec: missing });
      const owners = result.listeners.owners ?? [];
      expect(owners.length).toBeGreaterThan(0);
      const family = new Set([gateway.pid, ...(await descendants(gateway.pid))]);
      for (const owner of owners) {
        expect(owner).toMatchObject({ port: gateway.port, openclaw: true, uid: process.getuid?.() });
        expect(family.has(owner.pid!), `pid ${owner.pid} belongs to the Gateway started as ${gateway.pid}`).toBe(true);
      }
      expect(result.loopback.ok).toBe(true);
    }
    const prodOwner =
      (
        await runHostChecks(
          {
            gateway: 'real',
            unit: 'openclaw-gateway',
            bind: 'loopback',
            port: prod.port,
            tailnetAddresses: [],
            deadlineMs: 20_000,
            budgetMs: 19_000,
            doctor: false,
            firewall: false,
            tailnetPorts: [staging.port],
            openclawRoots: [],
          },
          urlTarget(prod.url, 'CONFORMANCE_TOKEN', { CONFORMANCE_TOKEN: PROD_TOKEN }, 'real'),
          { checker: createChecker({ connect: connectToGateway }), exec: missing },
        )
      ).listeners.owners ?? [];
    // One agent sees both ports, each held by its own Gateway's process.
    const pids = new Map(prodOwner.map((owner) => [owner.port, owner.pid]));
    expect(pids.get(prod.port)).toBeDefined();
    expect(pids.get(staging.port)).toBeDefined();
    expect(pids.get(prod.port)).not.toBe(pids.get(staging.port));
  });
});
