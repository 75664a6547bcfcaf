import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { UnrecoverableError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createHostCheckProcessor } from '../../jobs/host-checks.js';
import type { Checker } from '../../src/check/checker.js';
import { hostEvidence, runJointCheck } from '../../src/check/joint-check.js';
import { runCli } from '../../src/app/cli.js';
import { resolveAgentSettings, type AgentSettings } from '../../src/config/agent-settings.js';
import { ConfigSchema, DEFAULT_TIMEOUTS } from '../../src/config/schema.js';
import { urlTarget, type CheckTarget } from '../../src/config/targets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { ExecFileFn, ExecOutcome } from '../../src/host/exec-file.js';
import { loopbackUrl } from '../../src/host/loopback-check.js';
import { runHostChecks } from '../../src/host/run-host-checks.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { createLogger } from '../../src/log.js';
import { LAYER_ORDER, type ProbeReport } from '../../src/report/report.js';
import { HostCheckResultSchema, hostCheckQueueName, type HostCheckResult } from '../../src/queue/host-check-job.js';
import type { HostAgentAnswer, HostCheckRequester } from '../../src/queue/host-check-requester.js';
import { hostViewLine } from '../../src/render/host-line.js';
import { GATEWAY_VERSION, healthyReport, notReachedAfter, withLayer } from '../support/reports.js';
import { fakeProc, type FakeProcess } from '../support/fake-proc.js';

const CONFIGURED = 'SeCrEt-configured-4f1e9a7c2d';
const STALE = 'SeCrEt-stale-b81d03ee';
const silentLogger = createLogger({ level: 'silent' });

// ---------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------

const configWith = (gateway: Record<string, unknown>, defaults: Record<string, unknown> = {}) =>
  ConfigSchema.parse({ defaults, gateways: { prod: { url: 'wss://gw-prod.example-tailnet.ts.net', ...gateway } } });

describe('gateways.<name>.agent', () => {
  it('defaults: unit openclaw-gateway, bind loopback, OpenClaw port behind wss://, the budget as deadline', () => {
    expect(resolveAgentSettings(configWith({ agent: {} }), 'prod')).toEqual({
      gateway: 'prod',
      unit: 'openclaw-gateway',
      bind: 'loopback',
      port: 18789,
      tailnetAddresses: [],
      deadlineMs: DEFAULT_TIMEOUTS.budgetMs,
      budgetMs: DEFAULT_TIMEOUTS.budgetMs - 1_000,
      doctor: false,
      // The packet filter is read for Serve's 443 (the URL's port) and the Gateway's own port.
      firewall: true,
      tailnetPorts: [443, 18789],
      openclawRoots: [],
      tailscaledSocket: '/var/run/tailscale/tailscaled.sock',
    });
  });

  it('gatewayPort is the agent port too; a different agent.port is a config error naming both', () => {
    expect(resolveAgentSettings(configWith({ gatewayPort: 18790, agent: {} }), 'prod')?.port).toBe(18790);
    expect(() => configWith({ gatewayPort: 18790, agent: { port: 18791 } })).toThrow(
      /"agent",\s*"port"[\s\S]*agent\.port 18791 differs from gatewayPort 18790/,
    );
  });

  it('a ws:// URL with a port names the port; the deadline never exceeds the check budget', () => {
    const settings = resolveAgentSettings(
      configWith({ url: 'ws://100.101.102.103:18790', agent: { deadlineMs: 60_000 }, timeouts: { budgetMs: 4_000 } }),
      'prod',
    );
    expect(settings).toMatchObject({ port: 18790, deadlineMs: 4_000, budgetMs: 3_000 });
    expect(resolveAgentSettings(configWith({ agent: { deadlineMs: 800 } }), 'prod')).toMatchObject({ deadlineMs: 800, budgetMs: 600 });
  });

  it('no section, or enabled: false → no agent', () => {
    expect(resolveAgentSettings(configWith({}), 'prod')).toBeUndefined();
    expect(resolveAgentSettings(configWith({ agent: { enabled: false } }), 'prod')).toBeUndefined();
    expect(resolveAgentSettings(configWith({}), 'nope')).toBeUndefined();
  });

  it.each([
    [{ unit: '-H evil' }, 'agent.unit'],
    [{ unit: 'a b.service' }, 'agent.unit'],
    [{ command: 'id' }, 'agent'],
    [{ port: 70_000 }, 'agent.port'],
    [{ tailnetAddresses: ['not-an-ip'] }, 'agent.tailnetAddresses.0'],
    [{ openclawRoots: ['relative/lib'] }, 'agent.openclawRoots.0'],
    [{ bind: 'lan' }, 'agent.bind'],
  ])('refuses %j', (agent, path) => {
    const parsed = ConfigSchema.safeParse({ gateways: { prod: { url: 'ws://127.0.0.1:18789', agent } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(`gateways.prod.${path}`);
  });
});

// ---------------------------------------------------------------------------------------------
// The agent's processor: only "run the host checks", only for its own gateway
// ---------------------------------------------------------------------------------------------

const NOW = 1_790_000_000_000;
const validData = () => ({ requestId: '7b0c5a8e-1b2c-4d3e-8f90-a1b2c3d4e5f6', gateway: 'prod', requestedAt: NOW - 200 });
const job = (name: string, data: unknown) => ({ id: 'host-1', name, data }) as unknown as Job;

function processorWith() {
  let runs = 0;
  const result = sampleResult();
  const processor = createHostCheckProcessor({
    gateway: 'prod',
    maxAgeMs: 60_000,
    now: () => NOW,
    logger: silentLogger,
    runChecks: async () => {
      runs++;
      return result;
    },
  });
  return { processor, runs: () => runs, result };
}

describe('the agent processor', () => {
  it('runs the fixed checks for a valid job and returns the validated result', async () => {
    const { processor, runs, result } = processorWith();
    expect(await processor(job('host-checks', validData()))).toEqual(result);
    expect(runs()).toBe(1);
  });

  it.each<[string, string, unknown, RegExp]>([
    ['an extra command', 'host-checks', { ...validData(), command: 'rm -rf /' }, /Unrecognized key.*command/],
    ['an extra path and unit', 'host-checks', { ...validData(), path: '/etc/shadow', unit: 'sshd' }, /Unrecognized key/],
    ['a shell in the gateway field', 'host-checks', { ...validData(), gateway: 'prod; id' }, /gateway/],
    ['another job name', 'run-command', validData(), /unknown job name "run-command"/],
    ['no data', 'host-checks', undefined, /invalid job data/],
    ['a string', 'host-checks', 'systemctl restart openclaw-gateway', /invalid job data/],
    ['another gateway', 'host-checks', { ...validData(), gateway: 'staging' }, /this agent checks prod, not staging/],
    ['an old job', 'host-checks', { ...validData(), requestedAt: NOW - 120_000 }, /expired/],
  ])('refuses %s with UnrecoverableError and runs nothing', async (_label, name, data, reason) => {
    const { processor, runs } = processorWith();
    const error = await processor(job(name, data)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(reason);
    expect(runs()).toBe(0);
  });

  it('the queue is named after the gateway', () => {
    expect(hostCheckQueueName('prod')).toBe('host-checks-prod');
  });
});

// ---------------------------------------------------------------------------------------------
// runHostChecks with the host's programs and files played from fixtures
// ---------------------------------------------------------------------------------------------

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const row = (address: string, port = '4965') =>
  `   0: ${address}:${port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41001 1 0000000000000000 100 0 0 10 0`;
const TCP_LOOPBACK = `${HEADER}\n${row('0100007F')}\n`;
const TCP6_LOOPBACK = `${HEADER}\n${row('00000000000000000000000001000000')}\n`;
const TCP_WILDCARD = `${HEADER}\n${row('00000000')}\n`;
const TCP_UNIT_PORT = `${HEADER}\n${row('0100007F', '4966')}\n`;

const EXEC_START =
  'ExecStart={ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway run ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=4242 ; code=(null) ; status=0/0 }';
const show = (...lines: string[]) =>
  [
    'LoadState=loaded',
    'ActiveState=active',
    'SubState=running',
    'FragmentPath=/etc/systemd/system/openclaw-gateway.service',
    'NeedDaemonReload=no',
    ...lines,
    EXEC_START,
  ].join('\n') + '\n';
const SHOW = {
  inline: show(`Environment=NODE_ENV=production OPENCLAW_GATEWAY_TOKEN=${STALE} OPENCLAW_GATEWAY_PORT=18789`),
  file: show('Environment=NODE_ENV=production', 'EnvironmentFiles=/etc/openclaw/gateway.env (ignore_errors=no)'),
  dropIns: show(
    'DropInPaths=/etc/systemd/system/openclaw-gateway.service.d/10-env.conf /etc/systemd/system/openclaw-gateway.service.d/20-rotated.conf',
    `Environment=OPENCLAW_GATEWAY_TOKEN=${STALE}`,
    'EnvironmentFiles=/etc/openclaw/gateway.env (ignore_errors=no)',
    'EnvironmentFiles=/etc/openclaw/rotated.env (ignore_errors=no)',
  ),
  portDrift: show('Environment=OPENCLAW_GATEWAY_PORT=18790'),
  missing: 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nNeedDaemonReload=no\n',
};

const errno = (code: string) => Object.assign(new Error(code), { code });

interface Scripted {
  systemctl?: ExecOutcome;
  files?: Record<string, string>;
  proc?: { tcp?: string; tcp6?: string };
  running?: string;
  installed?: string;
  doctor?: ExecOutcome;
  /** Other programs by their whole command line (`nft -j list ruleset`). */
  programs?: Record<string, ExecOutcome>;
  /** The processes behind the sockets (/proc/<pid>/fd, cgroup, comm). */
  processes?: FakeProcess[];
}

function scripted(script: Scripted) {
  const calls: string[] = [];
  const targets: CheckTarget[] = [];
  const exec: ExecFileFn = async (file, args) => {
    calls.push([file, ...args].join(' '));
    if (file === 'systemctl') return script.systemctl ?? { ok: false, reason: 'missing', stdout: '', stderr: '', message: 'spawn systemctl ENOENT' };
    if (file === 'npm') return { ok: true, stdout: '/opt/npm-global/lib/node_modules\n', stderr: '' };
    if (file === '/usr/bin/openclaw' && script.doctor) return script.doctor;
    const program = script.programs?.[[file, ...args].join(' ')];
    if (program) return program;
    return { ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` };
  };
  const files: Record<string, string> = {
    ...(script.installed ? { '/opt/npm-global/lib/node_modules/openclaw/package.json': JSON.stringify({ name: 'openclaw', version: script.installed }) } : {}),
    ...script.files,
  };
  const readFile = async (path: string) => {
    const content = files[path];
    if (content === undefined) throw errno('ENOENT');
    return content;
  };
  const readProcFile = async (path: string) => {
    const content = path === '/proc/net/tcp' ? script.proc?.tcp : path === '/proc/net/tcp6' ? script.proc?.tcp6 : undefined;
    if (content === undefined) throw errno('ENOENT');
    return content;
  };
  const probe = async (target: CheckTarget) => {
    targets.push(target);
    const report = healthyReport({ gateway: { url: target.url } });
    const version = script.running ?? GATEWAY_VERSION;
    const handshake = report.layers.find((layer) => layer.layer === 'handshake')!;
    if (handshake.evidence && 'serverVersion' in handshake.evidence) handshake.evidence.serverVersion = version;
    const status = report.layers.find((layer) => layer.layer === 'status')!;
    if (status.evidence && 'runtimeVersion' in status.evidence) status.evidence.runtimeVersion = version;
    return report;
  };
  const checker: Checker = {
    probe,
    async check(target) {
      const report = await probe(target);
      return { report, diagnosis: diagnose(report) };
    },
    async checkMany() {
      return [];
    },
  };
  const proc = fakeProc(script.processes ?? []);
  return {
    deps: {
      checker,
      exec,
      readFile,
      readProcFile,
      proc,
      findExecutable: async (name: string) => (name === 'openclaw' && script.doctor ? '/usr/bin/openclaw' : undefined),
      hostname: () => 'gw-prod',
    },
    calls,
    targets,
  };
}

const AGENT: AgentSettings = {
  gateway: 'prod',
  unit: 'openclaw-gateway',
  bind: 'loopback',
  port: 18789,
  tailnetAddresses: [],
  deadlineMs: 4_000,
  budgetMs: 3_000,
  doctor: false,
  firewall: false,
  tailnetPorts: [443, 18789],
  openclawRoots: [],
};
const TARGET: CheckTarget = {
  ...urlTarget('wss://gw-prod.example-tailnet.ts.net', 'CLAWOPS_PROD_TOKEN', { CLAWOPS_PROD_TOKEN: CONFIGURED }, 'prod'),
  device: 'never',
};
const ok = (stdout: string): ExecOutcome => ({ ok: true, stdout, stderr: '' });

async function hostChecks(script: Scripted, agent: Partial<AgentSettings> = {}) {
  const run = scripted({ proc: { tcp: TCP_LOOPBACK, tcp6: TCP6_LOOPBACK }, installed: GATEWAY_VERSION, ...script });
  const result = await runHostChecks({ ...AGENT, ...agent }, TARGET, run.deps);
  expect(HostCheckResultSchema.parse(result)).toEqual(result);
  expect(JSON.stringify(result)).not.toContain('SeCrEt');
  return { result, calls: run.calls, targets: run.targets };
}

describe('runHostChecks', () => {
  it('a healthy host: loopback ok on 127.0.0.1, listening on loopback only, unit matches, version matches', async () => {
    const { result, calls, targets } = await hostChecks({
      systemctl: ok(SHOW.file),
      files: { '/etc/openclaw/gateway.env': `OPENCLAW_GATEWAY_TOKEN=${CONFIGURED}\n` },
    });
    expect(result).toMatchObject({
      gateway: 'prod',
      hostname: 'gw-prod',
      listeners: { available: true, port: 18789, listening: true, bound: ['127.0.0.1', '::1'], allowed: ['127.0.0.1', '::1'], violations: [] },
      loopback: { url: 'ws://127.0.0.1:18789', ok: true, serverVersion: GATEWAY_VERSION },
      unit: {
        available: true,
        unitFound: true,
        tokenSource: 'EnvironmentFile:/etc/openclaw/gateway.env',
        tokenDrift: false,
        unitTokenFingerprint: tokenFingerprint(CONFIGURED),
      },
      version: { status: 'match', running: GATEWAY_VERSION, installed: GATEWAY_VERSION },
    });
    expect(result.loopback.layers.map((layer) => layer.layer)).toEqual([...LAYER_ORDER]);
    expect(result.doctor).toBeUndefined();
    // The fixed set of programs, with fixed arguments: nothing else runs.
    expect(calls).toEqual([
      'npm root -g',
      'systemctl show --no-pager --property=LoadState,ActiveState,SubState,FragmentPath,DropInPaths,Environment,EnvironmentFiles,ExecStart,NeedDaemonReload -- openclaw-gateway',
    ]);
    // The loopback target: the Gateway's token, the device identity, the agent's budget.
    expect(targets).toEqual([
      expect.objectContaining({ url: 'ws://127.0.0.1:18789', token: CONFIGURED, device: 'auto', timeouts: expect.objectContaining({ budgetMs: 3_000 }) }),
    ]);
  });

  it('an inline stale token → drift by fingerprint', async () => {
    const { result } = await hostChecks({ systemctl: ok(SHOW.inline) });
    expect(result.unit).toMatchObject({
      tokenSource: 'Environment',
      tokenDrift: true,
      unitTokenFingerprint: tokenFingerprint(STALE),
      configuredTokenFingerprint: tokenFingerprint(CONFIGURED),
    });
    expect(result.unit.findings.map((finding) => finding.id)).toEqual(['unit-token-inline', 'unit-token-drift']);
  });

  it('drop-ins: the later EnvironmentFile wins over Environment=', async () => {
    const { result } = await hostChecks({
      systemctl: ok(SHOW.dropIns),
      files: { '/etc/openclaw/gateway.env': `OPENCLAW_GATEWAY_TOKEN=${STALE}\n`, '/etc/openclaw/rotated.env': `OPENCLAW_GATEWAY_TOKEN="${CONFIGURED}"\n` },
    });
    expect(result.unit).toMatchObject({
      tokenSource: 'EnvironmentFile:/etc/openclaw/rotated.env',
      tokenDrift: false,
      dropInPaths: expect.arrayContaining([expect.stringContaining('20-rotated.conf')]),
    });
  });

  it("a file-based token the agent may not read: incomplete, said so, not 'no drift'", async () => {
    const run = scripted({ systemctl: ok(SHOW.file), proc: { tcp: TCP_LOOPBACK } });
    const result = await runHostChecks(AGENT, TARGET, { ...run.deps, readFile: async () => Promise.reject(errno('EACCES')) });
    expect(result.unit).toMatchObject({ envComplete: false, tokenDrift: false });
    expect(result.unit.findings[0]).toMatchObject({ id: 'unit-env-file-unreadable' });
    expect(result.unit.findings[0]!.summary).toContain('EACCES');
  });

  it('a missing unit, and no systemctl at all, are values', async () => {
    expect((await hostChecks({ systemctl: ok(SHOW.missing) })).result.unit).toMatchObject({
      available: true,
      unitFound: false,
      findings: [{ id: 'unit-not-found' }],
    });
    expect((await hostChecks({})).result.unit).toEqual({
      unitName: 'openclaw-gateway',
      available: false,
      reason: 'systemctl-missing',
      dropInPaths: [],
      tokenDrift: false,
      portDrift: false,
      findings: [],
    });
  });

  it("the unit's port against the port in use", async () => {
    const { result } = await hostChecks({ systemctl: ok(SHOW.portDrift), proc: { tcp: TCP_UNIT_PORT } });
    expect(result.unit).toMatchObject({ unitPort: 18790, portDrift: true, unitPortListening: true });
    expect(result.listeners).toMatchObject({ listening: false, bound: [] });
  });

  it('a wildcard bind is a critical violation; a Gateway on [::1] only is checked there', async () => {
    expect((await hostChecks({ proc: { tcp: TCP_WILDCARD } })).result.listeners.violations).toEqual([
      expect.objectContaining({ address: '0.0.0.0', kind: 'wildcard', severity: 'critical' }),
    ]);
    const { targets } = await hostChecks({ proc: { tcp: HEADER, tcp6: TCP6_LOOPBACK } });
    expect(targets[0]?.url).toBe('ws://[::1]:18789');
  });

  it('no /proc: the matrix says so, the loopback check still runs', async () => {
    const run = scripted({});
    const result = await runHostChecks(AGENT, TARGET, run.deps);
    expect(result.listeners).toEqual({
      available: false,
      reason: 'no-proc (ENOENT)',
      port: 18789,
      bind: 'loopback',
      listening: false,
      bound: [],
      allowed: [],
      violations: [],
    });
    expect(result.loopback.ok).toBe(true);
  });

  it('running vs installed version: a stale process', async () => {
    const { result } = await hostChecks({ running: '2026.9.5' });
    expect(result.version).toMatchObject({
      status: 'stale-process',
      running: '2026.9.5',
      installed: GATEWAY_VERSION,
      packageJsonPath: '/opt/npm-global/lib/node_modules/openclaw/package.json',
    });
  });

  it('doctor only when configured; its findings parsed, a token in its output scrubbed', async () => {
    const stdout = JSON.stringify({
      ok: false,
      checksRun: 3,
      findings: [{ checkId: 'core/doctor/gateway-config', severity: 'error', message: `token ${CONFIGURED} is weak` }],
    });
    const { result, calls } = await hostChecks(
      { doctor: { ok: false, reason: 'exit', exitCode: 1, stdout, stderr: '', message: 'Command failed' } },
      { doctor: true },
    );
    expect(calls).toContain('/usr/bin/openclaw doctor --lint --json');
    expect(result.doctor).toMatchObject({
      ran: true,
      exitCode: 1,
      findings: [{ id: 'core/doctor/gateway-config', severity: 'error', message: `token [token ${tokenFingerprint(CONFIGURED)}] is weak` }],
    });
  });

  it('loopbackUrl prefers 127.0.0.1, then [::1], then the tailnet address for bind tailnet', () => {
    expect(loopbackUrl(18789, ['127.0.0.1', '::1'], 'loopback')).toBe('ws://127.0.0.1:18789');
    expect(loopbackUrl(18789, ['::1'], 'loopback')).toBe('ws://[::1]:18789');
    expect(loopbackUrl(18789, ['100.101.102.103'], 'tailnet')).toBe('ws://100.101.102.103:18789');
    expect(loopbackUrl(18789, ['fd7a:115c:a1e0::1'], 'tailnet')).toBe('ws://[fd7a:115c:a1e0::1]:18789');
    expect(loopbackUrl(18789, [], 'loopback')).toBe('ws://127.0.0.1:18789');
  });
});

// ---------------------------------------------------------------------------------------------
// Joining: both views in one report
// ---------------------------------------------------------------------------------------------

function sampleResult(overrides: Partial<HostCheckResult> = {}): HostCheckResult {
  const report = healthyReport({ gateway: { url: 'ws://127.0.0.1:18789' } });
  return {
    gateway: 'prod',
    hostname: 'gw-prod',
    agentVersion: '0.1.0',
    durationMs: 120,
    listeners: { available: true, port: 18789, bind: 'loopback', listening: true, bound: ['127.0.0.1'], allowed: ['127.0.0.1'], violations: [] },
    loopback: { url: 'ws://127.0.0.1:18789', ok: true, serverVersion: GATEWAY_VERSION, summary: `hello-ok ${GATEWAY_VERSION}`, layers: report.layers },
    unit: { unitName: 'openclaw-gateway', available: false, reason: 'systemctl-missing', dropInPaths: [], tokenDrift: false, portDrift: false, findings: [] },
    version: { status: 'match', running: GATEWAY_VERSION, installed: GATEWAY_VERSION, others: [], summary: 'match' },
    ...overrides,
  };
}

function fakeRequester(answer: HostAgentAnswer) {
  const asked: { gateway: string; deadlineMs: number }[] = [];
  const requester: HostCheckRequester = {
    async request(gateway, options) {
      asked.push({ gateway, deadlineMs: options.deadlineMs });
      return answer;
    },
    async close() {},
  };
  return { requester, asked };
}

const timeoutReport = (): ProbeReport =>
  notReachedAfter(
    withLayer(healthyReport(), {
      layer: 'tcp',
      status: 'failed',
      startMs: 0,
      durationMs: 3000,
      summary: '100.101.102.103:18789 timeout after 3000 ms',
      evidence: { address: '100.101.102.103', port: 18789, error: 'timeout' },
    }),
    'tcp',
  );
const fixedChecker = (report: ProbeReport): Checker => ({
  async probe() {
    return report;
  },
  async check() {
    return { report, diagnosis: diagnose(report) };
  },
  async checkMany() {
    return [];
  },
});

describe('runJointCheck', () => {
  it('without an agent, the view from outside only (nobody is asked)', async () => {
    const { requester, asked } = fakeRequester({ status: 'silent', waitedMs: 1 });
    const report = await runJointCheck({ checker: fixedChecker(healthyReport()), hostChecks: requester }, TARGET, undefined);
    expect(report.host).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('answered: both views in one report, the client token as a fingerprint → network-path', async () => {
    const { requester, asked } = fakeRequester({ status: 'answered', result: sampleResult(), waitedMs: 130 });
    const report = await runJointCheck({ checker: fixedChecker(timeoutReport()), hostChecks: requester }, TARGET, AGENT);
    expect(asked).toEqual([{ gateway: 'prod', deadlineMs: 4_000 }]);
    expect(report.host).toMatchObject({
      agent: { status: 'answered', deadlineMs: 4_000, hostname: 'gw-prod' },
      clientTokenFingerprint: tokenFingerprint(CONFIGURED),
    });
    expect(JSON.stringify(report)).not.toContain(CONFIGURED);
    expect(diagnose(report).verdicts[0]?.id).toBe('network-path');
    expect(hostViewLine(report)?.mrkdwn).toBe('*Host agent* loopback ok · listening on 127.0.0.1 · on gw-prod');
  });

  it('the host line says where Serve forwards and whether Funnel is on', () => {
    const route = {
      hostPort: 'gw-prod.example-tailnet.ts.net:443',
      mount: '/',
      target: 'http://127.0.0.1:18789',
      targetHost: '127.0.0.1',
      targetPort: 18789,
      toGateway: true,
      funnel: false,
    };
    const withServe = (serve: NonNullable<NonNullable<ProbeReport['host']>['serve']>) => ({
      ...healthyReport(),
      host: { agent: { status: 'answered' as const, deadlineMs: 4_000 }, serve },
    });
    expect(hostViewLine(withServe({ available: true, gatewayPort: 18789, routes: [route] }))?.mrkdwn).toBe('*Host agent* Serve → 18789');
    expect(hostViewLine(withServe({ available: true, gatewayPort: 18789, routes: [{ ...route, funnel: true }] }))?.mrkdwn).toBe(
      '*Host agent* Serve → 18789 · FUNNEL ON',
    );
    expect(
      hostViewLine(
        withServe({ available: true, gatewayPort: 18789, routes: [{ ...route, target: 'http://127.0.0.1:18790', targetPort: 18790, toGateway: false }] }),
      )?.mrkdwn,
    ).toBe('*Host agent* Serve → port 18790, not 18789');
    expect(hostViewLine(withServe({ available: true, gatewayPort: 18789, routes: [] }))?.mrkdwn).toBe('*Host agent* no Serve route');
  });

  it('silent: said so, diagnosed from outside', async () => {
    const { requester } = fakeRequester({ status: 'silent', waitedMs: 4_001 });
    const report = await runJointCheck({ checker: fixedChecker(timeoutReport()), hostChecks: requester }, TARGET, AGENT);
    expect(report.host).toEqual({ agent: { status: 'silent', deadlineMs: 4_000, durationMs: 4_001 }, clientTokenFingerprint: tokenFingerprint(CONFIGURED) });
    expect(diagnose(report).verdicts.map((verdict) => verdict.id)).toEqual(['timeout', 'agent-silent']);
    expect(hostViewLine(report)?.mrkdwn).toBe('*Host agent* no answer within 4000 ms: outside view only');
  });

  it('a requester that throws is a failed agent, not a failed check', async () => {
    const requester: HostCheckRequester = { request: async () => Promise.reject(new Error('boom')), close: async () => undefined };
    const report = await runJointCheck({ checker: fixedChecker(healthyReport()), hostChecks: requester }, TARGET, AGENT);
    expect(report.host?.agent).toEqual({ status: 'failed', deadlineMs: 4_000, durationMs: 0, detail: 'boom' });
  });

  it('hostEvidence keeps the doctor when it ran', () => {
    const doctor = { ran: true, findings: [], notes: [] };
    expect(hostEvidence({ status: 'answered', result: sampleResult({ doctor }), waitedMs: 1 }, AGENT, { ...TARGET, token: undefined })).toMatchObject({
      doctor,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// `clawops agent` on the command line: mistakes are usage errors, before any connection
// ---------------------------------------------------------------------------------------------

describe('clawops agent', () => {
  async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await runCli(argv, {}, { stdout: () => undefined, stderr: (text) => (stderr += text), isTty: false });
    return { code, stderr };
  }

  it('needs --gateway and a config', async () => {
    expect(await run(['agent'])).toEqual({ code: 2, stderr: expect.stringContaining('clawops agent needs --gateway NAME') });
    expect(await run(['agent', '--gateway', 'prod', '--unit', 'sshd'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--unit'") });
  });

  it('refuses a gateway without an agent section, and an unknown gateway', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clawops-agent-cli-'));
    try {
      const path = join(dir, 'clawops.yaml');
      await writeFile(path, 'gateways:\n  prod:\n    url: ws://127.0.0.1:18789\n');
      expect(await run(['agent', '--gateway', 'prod', '--config', path])).toEqual({
        code: 2,
        stderr: expect.stringContaining('gateway `prod` has no enabled agent: add gateways.prod.agent to the config'),
      });
      expect(await run(['agent', '--gateway', 'prdo', '--config', path])).toEqual({
        code: 2,
        stderr: expect.stringContaining('No gateway named `prdo`. Did you mean `prod`?'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('runHostChecks: the packet filter', () => {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/firewall/${name}`, import.meta.url), 'utf8');
  const denied = (file: string, stderr: string): ExecOutcome => ({
    ok: false,
    reason: 'exit',
    exitCode: 1,
    stdout: '',
    stderr,
    message: `Command failed: ${file}`,
  });
  const missing = (file: string): ExecOutcome => ({ ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` });

  it('reads `nft -j list ruleset` (fixed argv) and names the rule that drops the Gateway port on tailscale0', async () => {
    const { result, calls } = await hostChecks({ programs: { 'nft -j list ruleset': ok(fixture('nft.json')) } }, { firewall: true });
    expect(calls).toContain('nft -j list ruleset');
    expect(calls.filter((call) => call.startsWith('nft') || call.includes('tables-save'))).toEqual(['nft -j list ruleset']);
    expect(result.firewall).toMatchObject({ available: true, tool: 'nft -j list ruleset', interface: 'tailscale0' });
    const gatewayPort = result.firewall?.ports.find((port) => port.port === 18789 && port.family === 'ipv4');
    expect(gatewayPort).toMatchObject({
      verdict: 'drop',
      chain: 'inet filter input',
      handle: 6,
      byPolicy: false,
      rule: expect.stringContaining('iifname "tailscale0" tcp dport 18789'),
    });
    // Serve's 443 is accepted by `tcp dport { 22, 443 } accept`.
    expect(result.firewall?.ports.find((port) => port.port === 443 && port.family === 'ipv4')?.verdict).toBe('accept');
  });

  it('falls back to `nft list ruleset` when this nft has no JSON output', async () => {
    const { result } = await hostChecks(
      { programs: { 'nft -j list ruleset': denied('nft', 'Error: syntax error, unexpected -j'), 'nft list ruleset': ok(fixture('nft-text.txt')) } },
      { firewall: true },
    );
    expect(result.firewall).toMatchObject({ available: true, tool: 'nft list ruleset' });
    expect(result.firewall?.ports.find((port) => port.port === 18789 && port.family === 'ipv4')).toMatchObject({
      verdict: 'drop',
      rule: expect.stringContaining('tcp dport 18789'),
    });
  });

  it('without nft: iptables-save and ip6tables-save; a reject in a ufw-style chain is named', async () => {
    const { result } = await hostChecks(
      {
        programs: {
          'nft -j list ruleset': missing('nft'),
          'iptables-save': ok(fixture('iptables-save.txt')),
          'ip6tables-save': ok(fixture('ip6tables-save.txt')),
        },
      },
      { firewall: true },
    );
    expect(result.firewall).toMatchObject({ available: true, tool: 'iptables-save, ip6tables-save' });
    expect(result.firewall?.ports.filter((port) => port.port === 18789)).toEqual([
      expect.objectContaining({ family: 'ipv4', verdict: 'reject', chain: 'iptables filter ufw-user-input' }),
      expect.objectContaining({ family: 'ipv6', verdict: 'drop', chain: 'ip6tables filter INPUT' }),
    ]);
  });

  it('iptables-nft tables (xt expressions in nft JSON) are read from iptables-save; native nft tables stay nft', async () => {
    const { result, calls } = await hostChecks(
      {
        programs: {
          'nft -j list ruleset': ok(fixture('nft-iptables-nft.json')),
          'iptables-save': ok(fixture('iptables-nft-save.txt')),
          'ip6tables-save': ok(fixture('ip6tables-nft-save.txt')),
        },
      },
      { firewall: true, tailnetPorts: [18789, 9443, 22, 20000] },
    );
    expect(calls.filter((call) => /^(nft|ip6?tables-save)/.test(call))).toEqual(['nft -j list ruleset', 'iptables-save', 'ip6tables-save']);
    expect(result.firewall?.tool).toBe('nft -j list ruleset, iptables-save, ip6tables-save (iptables-nft tables)');
    const v4 = (port: number) => result.firewall?.ports.find((entry) => entry.port === port && entry.family === 'ipv4');
    // ufw-style multiport REJECT: opaque in nft JSON (xt match multiport, xt target REJECT), exact in iptables-save.
    expect(v4(18789)).toMatchObject({
      verdict: 'reject',
      chain: 'iptables filter INPUT',
      rule: '-A INPUT -i tailscale0 -p tcp -m multiport --dports 80,443,18000:18999 -j REJECT --reject-with tcp-reset',
    });
    expect(v4(9443)).toMatchObject({ verdict: 'drop', chain: 'inet tailscale-extra input', rule: expect.stringContaining('tcp dport 9443') });
    expect(v4(22)?.verdict).toBe('accept');
    expect(v4(20000)).toMatchObject({ verdict: 'drop', byPolicy: true, chain: 'iptables filter INPUT' });
  });

  it('iptables-nft tables when iptables-save is not allowed: the xt REJECT is kept as conditional, the policy decides', async () => {
    const { result } = await hostChecks(
      {
        programs: {
          'nft -j list ruleset': ok(fixture('nft-iptables-nft.json')),
          'iptables-save': denied(
            'iptables-save',
            'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
          ),
        },
      },
      { firewall: true },
    );
    const entry = result.firewall?.ports.find((port) => port.port === 18789 && port.family === 'ipv4');
    expect(entry).toMatchObject({ verdict: 'drop', byPolicy: true, chain: 'ip filter INPUT' });
    expect(entry?.conditional).toEqual([expect.stringContaining('xt target REJECT')]);
  });

  it('an agent without CAP_NET_ADMIN says so, and how to grant it', async () => {
    const { result } = await hostChecks(
      { programs: { 'nft -j list ruleset': denied('nft', 'Error: cache initialization failed: Operation not permitted') } },
      { firewall: true },
    );
    expect(result.firewall).toMatchObject({ available: false, reason: 'permission-denied', detail: expect.stringContaining('CAP_NET_ADMIN') });
  });

  it('firewall: false reads nothing', async () => {
    const { result, calls } = await hostChecks({ programs: { 'nft -j list ruleset': ok(fixture('nft.json')) } }, { firewall: false });
    expect(result.firewall).toBeUndefined();
    expect(calls.some((call) => call.startsWith('nft'))).toBe(false);
  });
});

describe('runHostChecks: who holds the Gateway port', () => {
  const other: FakeProcess = {
    pid: 4242,
    comm: 'openclaw-gatewa',
    cgroup: '0::/system.slice/openclaw-gateway-test.service\n',
    // A command line may carry a token: it is tested for "openclaw", never reported.
    cmdline: ['/usr/bin/node', '/usr/lib/node_modules/openclaw/openclaw.mjs', 'gateway', 'run', '--token', 'SeCrEt-on-the-command-line'],
    fds: { '0': '/dev/null', '21': 'socket:[41001]' },
  };

  it('names the pid, process and systemd unit behind the listener (socket inode → /proc/<pid>/fd, cgroup)', async () => {
    const { result } = await hostChecks({
      systemctl: ok(SHOW.file),
      processes: [
        { pid: 1, comm: 'systemd', fds: { '1': 'socket:[999]' } },
        { ...other, cgroup: '0::/system.slice/openclaw-gateway.service\n' },
      ],
    });
    expect(result.listeners.owners).toEqual([
      { port: 18789, address: '127.0.0.1', uid: 1000, pid: 4242, process: 'openclaw-gatewa', unit: 'openclaw-gateway.service', openclaw: true },
      { port: 18789, address: '::1', uid: 1000, pid: 4242, process: 'openclaw-gatewa', unit: 'openclaw-gateway.service', openclaw: true },
    ]);
    const report = { ...healthyReport(), host: hostEvidence({ status: 'answered', result, waitedMs: 10 }, AGENT, TARGET) };
    expect(hostViewLine(report)?.mrkdwn).toContain('listening on 127.0.0.1, ::1 (pid 4242 openclaw-gatewa, openclaw-gateway.service)');
    expect(diagnose(report).verdicts.map((verdict) => verdict.id)).not.toContain('port-held-by-other-instance');
  });

  it('a port held by another OpenClaw unit is its own finding: "18789 is held by openclaw-gateway-test"', async () => {
    const { result } = await hostChecks({ systemctl: ok(SHOW.file), processes: [other] });
    const report = { ...healthyReport(), host: hostEvidence({ status: 'answered', result, waitedMs: 10 }, AGENT, TARGET) };
    const verdict = diagnose(report).verdicts.find((candidate) => candidate.id === 'port-held-by-other-instance');
    expect(verdict).toMatchObject({ severity: 'error', title: 'Port held by another OpenClaw' });
    expect(verdict!.evidence[0]).toBe('18789 is held by openclaw-gateway-test (pid 4242, openclaw-gatewa), not openclaw-gateway (host agent)');
  });

  it("another user's process: the socket's uid and login, and that the fds were unreadable", async () => {
    const { result } = await hostChecks({
      systemctl: ok(SHOW.file),
      files: { '/etc/passwd': 'root:x:0:0::/root:/bin/sh\nopenclaw:x:1000:1000::/var/lib/openclaw:/usr/sbin/nologin\n' },
      processes: [{ ...other, unreadable: true }],
    });
    expect(result.listeners.owners?.[0]).toEqual({ port: 18789, address: '127.0.0.1', uid: 1000, user: 'openclaw' });
    expect(result.listeners.ownersUnreadable).toBe(1);
    const report = { ...healthyReport(), host: hostEvidence({ status: 'answered', result, waitedMs: 10 }, AGENT, TARGET) };
    expect(hostViewLine(report)?.mrkdwn).toContain('(uid 1000 openclaw)');
  });
});
