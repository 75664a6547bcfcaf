import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Checker } from '../check/checker.js';
import type { AgentSettings } from '../config/agent-settings.js';
import type { CheckTarget } from '../config/targets.js';
import type { HostCheckResult } from '../queue/host-check-job.js';
import { CLAWOPS_VERSION } from '../version.js';
import { runDoctorLint } from './doctor.js';
import { execFileOutcome, type ExecFileFn } from './exec-file.js';
import { createFindExecutable, type FindExecutableFn } from './find-executable.js';
import { compareRunningInstalled, findInstalledVersion, type InstalledVersion } from './installed-version.js';
import { assessListeners } from './listener-matrix.js';
import { checkLoopback, loopbackUrl } from './loopback-check.js';
import type { TcpSocket } from './proc-net-tcp.js';
import { readListeners } from './read-listeners.js';
import { readPacketFilter, type FirewallReading } from './read-packet-filter.js';
import { findSocketOwners, nodeProcReader, userNames, type ProcReader } from './socket-owners.js';
import { readUnit, type ReadTextFn } from './read-unit.js';
import { tokenFingerprint } from '../report/token-fingerprint.js';
import { assessUnitDrift } from './unit-drift.js';
import { createLocalApiClient, DEFAULT_SOCKET_PATH, type LocalApiClient } from '../tailscale/local-api.js';
import { readGatewayConfig, type GatewayConfigData } from './read-gateway-config.js';
import { serveEvidence } from './serve-check.js';

/**
 * The agent's FIXED set of read-only checks on the gateway host, all decided by the agent's config:
 * the listen matrix (/proc/net/tcp{,6}), the loopback ladder, the systemd unit (token and port by
 * fingerprint), running vs installed version, tailscaled's Serve config (LocalAPI), the Gateway's
 * openclaw.json (`gateway.*`, the token by fingerprint), the packet filter for the Gateway's ports on
 * tailscale0 (`nft`/`iptables-save`, fixed arguments), and optionally `openclaw doctor --lint --json`.
 * Independent checks run at once inside the agent's budget. Each check returns a value; none throws.
 */
export interface HostCheckDeps {
  /** The foundation's ladder, with this host's device identity (auto-approved on loopback). */
  checker: Checker;
  exec: ExecFileFn;
  /** EnvironmentFiles named by systemd, and openclaw's package.json. */
  readFile: ReadTextFn;
  /** The kernel's socket tables. */
  readProcFile: ReadTextFn;
  findExecutable: FindExecutableFn;
  /** /proc/<pid>/fd, cgroup and comm: who owns the Gateway's listening sockets. */
  proc: ProcReader;
  hostname: () => string;
  clock: () => number;
  /** tailscaled's LocalAPI on this host (its Serve config). */
  localApi: (socketPath: string) => LocalApiClient;
}

type ListenerEvidence = HostCheckResult['listeners'];
type UnitEvidence = HostCheckResult['unit'];
type DoctorEvidence = NonNullable<HostCheckResult['doctor']>;

const text = (path: string) => readFile(path, 'utf8');

export async function runHostChecks(
  agent: AgentSettings,
  target: CheckTarget,
  overrides: Partial<HostCheckDeps> & Pick<HostCheckDeps, 'checker'>,
): Promise<HostCheckResult> {
  const deps: HostCheckDeps = {
    exec: execFileOutcome,
    readFile: text,
    readProcFile: text,
    findExecutable: createFindExecutable(),
    proc: nodeProcReader,
    hostname,
    clock: () => performance.now(),
    localApi: (socketPath) => createLocalApiClient({ socketPath, timeoutMs: 2_000 }),
    ...overrides,
  };
  const started = deps.clock();
  const budget = AbortSignal.timeout(agent.budgetMs);
  const stepMs = Math.min(5_000, agent.budgetMs);

  const installed = settle(
    () => findInstalledVersion({ exec: deps.exec, readFile: deps.readFile, extraRoots: agent.openclawRoots, timeoutMs: stepMs }),
    (): InstalledVersion => ({ found: false, searched: [] }),
  );
  const unitReading = settle(
    () => readUnit(agent.unit, { exec: deps.exec, readFile: deps.readFile, timeoutMs: stepMs, signal: budget }),
    (error) => ({ available: false as const, reason: 'systemd-unavailable' as const, detail: messageOf(error) }),
  );
  const firewall = agent.firewall
    ? settle(
        () => readPacketFilter({ exec: deps.exec, ports: agent.tailnetPorts, timeoutMs: stepMs, signal: budget }),
        (error): FirewallReading => ({ available: false, reason: 'unreadable', detail: messageOf(error), interface: 'tailscale0', ports: [] }),
      )
    : undefined;
  const doctor = agent.doctor
    ? settle(
        () => doctorEvidence(deps, agent.budgetMs, budget),
        (error): DoctorEvidence => ({ ran: false, reason: messageOf(error), findings: [], notes: [] }),
      )
    : undefined;
  const serve = settle(
    async () =>
      serveEvidence(await deps.localApi(agent.tailscaledSocket ?? DEFAULT_SOCKET_PATH).serveConfig({ timeoutMs: stepMs, signal: budget }), agent.port),
    (error) => ({ available: false, reason: messageOf(error), gatewayPort: agent.port, routes: [] }),
  );

  // The listen matrix first (a read of two small files): it says where the loopback check knocks.
  const sockets = await settle(
    () => readListeners(deps.readProcFile),
    (error) => ({ available: false as const, reason: 'unreadable' as const, code: messageOf(error) }),
  );
  const listeners = listenerEvidence(sockets, agent);
  const loopbackCheck = checkLoopback(deps.checker, loopbackTarget(target, agent, loopbackUrl(agent.port, listeners.allowed, agent.bind)), budget);

  const reading = await unitReading;
  const configPath = agent.openclawConfig ?? (reading.available ? reading.unit.environment.get('OPENCLAW_CONFIG_PATH') : undefined);
  const fileConfig = configPath?.startsWith('/')
    ? await settle(
        () => readGatewayConfig(configPath, deps.readFile),
        (error): GatewayConfigData => ({ source: 'file', path: configPath, available: false, reason: messageOf(error) }),
      )
    : undefined;
  const { loopback, gatewayConfig: loopbackConfig } = await loopbackCheck;
  // The file says what the Gateway will run with even while it is down; config.get what it runs with now.
  const gatewayConfig = fileConfig?.available ? fileConfig : loopbackConfig?.available ? loopbackConfig : (fileConfig ?? loopbackConfig);
  // The reading holds the unit's environment, secrets included: it goes to assessUnitDrift and no further.
  const unit: UnitEvidence = reading.available
    ? {
        available: true,
        ...assessUnitDrift({ unitName: agent.unit, unit: reading.unit, envFiles: reading.envFiles, configuredToken: target.token, configuredPort: agent.port }),
      }
    : {
        unitName: agent.unit,
        available: false,
        reason: reading.reason,
        ...(reading.detail ? { detail: reading.detail } : {}),
        dropInPaths: [],
        tokenDrift: false,
        portDrift: false,
        findings: [],
      };
  if (unit.unitPort !== undefined && sockets.available) {
    unit.unitPortListening = assessListeners(sockets.listeners, { port: unit.unitPort, bind: agent.bind, tailnetAddresses: agent.tailnetAddresses }).listening;
  }
  if (sockets.available)
    Object.assign(
      listeners,
      await settle(
        () => ownersOf(sockets.listeners, [agent.port, ...agent.tailnetPorts, ...(unit.unitPort !== undefined ? [unit.unitPort] : [])], deps),
        () => ({}),
      ),
    );

  const found = await installed;
  const comparison = compareRunningInstalled(loopback.serverVersion, found.found ? found.version : undefined);
  const version: HostCheckResult['version'] = {
    ...comparison,
    ...(found.found ? { packageJsonPath: found.packageJsonPath, others: found.others } : { others: [] }),
  };

  const doctorResult = doctor ? await doctor : undefined;
  const firewallResult = firewall ? await firewall : undefined;
  return scrubToken(target.token, {
    gateway: agent.gateway,
    hostname: deps.hostname().slice(0, 255),
    agentVersion: CLAWOPS_VERSION,
    durationMs: Math.round(deps.clock() - started),
    listeners,
    loopback,
    unit,
    version,
    ...(doctorResult ? { doctor: doctorResult } : {}),
    serve: await serve,
    ...(gatewayConfig ? { gatewayConfig } : {}),
    ...(firewallResult ? { firewall: firewallResult } : {}),
  });
}

/**
 * Defence in depth: texts from other programs (doctor findings, systemctl's stderr) end up in the
 * answer, and none of them may carry the Gateway token to Redis. Every occurrence becomes its fingerprint.
 */
function scrubToken<T>(token: string | undefined, value: T): T {
  if (!token || token.length < 8) return value;
  const needle = JSON.stringify(token).slice(1, -1);
  const json = JSON.stringify(value);
  return json.includes(needle) ? (JSON.parse(json.split(needle).join(`[token ${tokenFingerprint(token)}]`)) as T) : value;
}

/** The outside target, pointed at the loopback listener, with the device identity and the agent's budget. */
function loopbackTarget(target: CheckTarget, agent: AgentSettings, url: string): CheckTarget {
  return {
    name: target.name,
    url,
    tokenEnv: target.tokenEnv,
    token: target.token,
    timeouts: { ...target.timeouts, budgetMs: Math.min(target.timeouts.budgetMs, agent.budgetMs) },
    device: 'auto',
    slowHandshakeMs: target.slowHandshakeMs,
  };
}

function listenerEvidence(reading: Awaited<ReturnType<typeof readListeners>>, agent: AgentSettings): ListenerEvidence {
  const base = { port: agent.port, bind: agent.bind };
  if (!reading.available)
    return {
      ...base,
      available: false,
      reason: reading.code ? `${reading.reason} (${reading.code})` : reading.reason,
      listening: false,
      bound: [],
      allowed: [],
      violations: [],
    };
  const matrix = assessListeners(reading.listeners, { port: agent.port, bind: agent.bind, tailnetAddresses: agent.tailnetAddresses });
  return {
    ...base,
    available: true,
    listening: matrix.listening,
    bound: matrix.bound,
    allowed: matrix.allowed,
    violations: matrix.violations.map(({ address, kind, severity, why }) => ({ address, kind, severity, why })),
  };
}

/** The process (pid, name, systemd unit) behind each listener on the ports that matter. */
async function ownersOf(sockets: readonly TcpSocket[], ports: number[], deps: HostCheckDeps): Promise<Pick<ListenerEvidence, 'owners' | 'ownersUnreadable'>> {
  const relevant = sockets.filter((socket) => socket.state === 'LISTEN' && ports.includes(socket.port));
  if (relevant.length === 0) return { owners: [] };
  const [search, passwd] = await Promise.all([
    findSocketOwners(
      relevant.map((socket) => socket.inode),
      deps.proc,
    ),
    deps.readFile('/etc/passwd').catch(() => ''),
  ]);
  const users = userNames(passwd);
  const owners = relevant.map((socket) => {
    const owner = search.owners.get(socket.inode);
    const user = users.get(socket.uid);
    return {
      port: socket.port,
      address: socket.address,
      uid: socket.uid,
      ...(user ? { user } : {}),
      ...(owner ? { pid: owner.pid, process: owner.process, ...(owner.unit ? { unit: owner.unit } : {}), openclaw: owner.openclaw } : {}),
    };
  });
  return {
    owners: owners.slice(0, 16),
    ...(search.unreadable > 0 && owners.some((owner) => owner.pid === undefined) ? { ownersUnreadable: search.unreadable } : {}),
  };
}

async function doctorEvidence(deps: HostCheckDeps, timeoutMs: number, signal: AbortSignal): Promise<DoctorEvidence> {
  const run = await runDoctorLint({ exec: deps.exec, findExecutable: deps.findExecutable, timeoutMs, signal });
  if (!run.ran) return { ran: false, reason: run.reason, findings: [], notes: [] };
  return {
    ran: true,
    ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
    timedOut: run.timedOut,
    durationMs: run.durationMs,
    findings: [...run.lint.findings, ...run.lint.warnings].slice(0, 50),
    notes: run.lint.notes,
  };
}

async function settle<T>(work: () => Promise<T>, fallback: (error: unknown) => T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    return fallback(error);
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}
