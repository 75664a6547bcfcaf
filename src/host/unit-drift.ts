import { parseEnvironmentFile, type ParsedUnit } from './systemd-unit.js';
import { tokenFingerprint } from '../report/token-fingerprint.js';

/**
 * Row `unit-token-drift`, decided on the host: what token and port would the systemd unit hand the
 * Gateway, and do they match what clawops is configured with? Pure. The answer carries
 * fingerprints, never a token: the result goes into reports, Redis and Slack.
 *
 * systemd's order (systemd.exec(5)): Environment= first; each EnvironmentFile= then overrides it,
 * files in the order listed, a later file winning. The Gateway's own `--token`/`--port` on the
 * command line beat the environment (OpenClaw: `--port` > OPENCLAW_GATEWAY_PORT > gateway.port;
 * `--token` > gateway.auth.token > OPENCLAW_GATEWAY_TOKEN). A token in the Gateway's config file is
 * not visible from the unit; that is the config check's business, not this one's.
 */

export const TOKEN_ENV = 'OPENCLAW_GATEWAY_TOKEN';
export const PORT_ENV = 'OPENCLAW_GATEWAY_PORT';

/** What reading one EnvironmentFile gave (read-unit.ts fills it). */
export type EnvFileRead = { ok: true; text: string } | { ok: false; reason: 'missing' | 'unreadable'; code?: string };

export interface UnitDriftInput {
  unitName: string;
  unit: ParsedUnit;
  /** By path, as the unit names them; a path absent from the map counts as unreadable. */
  envFiles: ReadonlyMap<string, EnvFileRead>;
  configuredToken?: string;
  configuredPort?: number;
}

export type TokenSource = 'Environment' | `EnvironmentFile:${string}` | 'ExecStart' | 'none';

export interface UnitFinding {
  id: string;
  symptom?: 'unit-token-drift';
  severity: 'critical' | 'warning' | 'info';
  /** One line, values resolved, never a secret. */
  summary: string;
}

export interface UnitDrift {
  unitName: string;
  unitFound: boolean;
  loadState: string;
  activeState: string;
  subState: string;
  fragmentPath?: string;
  dropInPaths: string[];
  tokenSource: TokenSource;
  unitTokenFingerprint?: string;
  configuredTokenFingerprint?: string;
  tokenDrift: boolean;
  unitPort?: number;
  portSource?: TokenSource;
  portDrift: boolean;
  /** False when some of the unit's environment could not be read: "no drift" is then not proven. */
  envComplete: boolean;
  findings: UnitFinding[];
}

interface Setting {
  value: string;
  source: TokenSource;
}

export function assessUnitDrift(input: UnitDriftInput): UnitDrift {
  const { unit, unitName } = input;
  const findings: UnitFinding[] = [];
  const base = {
    unitName,
    loadState: unit.loadState,
    activeState: unit.activeState,
    subState: unit.subState,
    ...(unit.fragmentPath ? { fragmentPath: unit.fragmentPath } : {}),
    dropInPaths: unit.dropInPaths,
  };
  if (unit.loadState === 'not-found') {
    findings.push({ id: 'unit-not-found', severity: 'warning', summary: `systemd unit ${unitName} not found (LoadState=not-found)` });
    return { ...base, unitFound: false, tokenSource: 'none', tokenDrift: false, portDrift: false, envComplete: false, findings };
  }
  if (unit.needDaemonReload) {
    findings.push({
      id: 'unit-needs-daemon-reload',
      severity: 'warning',
      summary: `${unitName} changed on disk since the last daemon-reload: systemd still uses the old Environment=/EnvironmentFile= lines (systemctl daemon-reload && systemctl restart ${unitName})`,
    });
  }
  if (unit.activeState !== 'active') {
    findings.push({ id: 'unit-not-active', severity: 'warning', summary: `${unitName} is ${unit.activeState} (${unit.subState})` });
  }

  const token: Setting[] = [];
  const port: Setting[] = [];
  let envComplete = true;
  if (unit.unprintableEnvironment > 0) {
    envComplete = false;
    findings.push({
      id: 'unit-environment-unprintable',
      severity: 'info',
      summary: `${unit.unprintableEnvironment} Environment= assignment(s) of ${unitName} shown as [unprintable] by this systemd: not checked`,
    });
  }
  collect(unit.environment, 'Environment', token, port);

  for (const ref of unit.environmentFiles) {
    const read = input.envFiles.get(ref.path) ?? { ok: false, reason: 'unreadable' };
    if (!read.ok) {
      if (read.reason === 'missing' && ref.optional) continue;
      if (read.reason === 'missing') {
        findings.push({
          id: 'unit-env-file-missing',
          severity: 'critical',
          summary: `EnvironmentFile ${ref.path} of ${unitName} is missing: systemd refuses to start the unit until it exists (or is marked optional with "-")`,
        });
        continue;
      }
      envComplete = false;
      findings.push({
        id: 'unit-env-file-unreadable',
        severity: 'warning',
        summary: `cannot read EnvironmentFile ${ref.path} of ${unitName}${read.code ? ` (${read.code})` : ''}: the token and port it may set are not checked`,
      });
      continue;
    }
    const content = parseEnvironmentFile(read.text);
    for (const ignored of content.ignored) {
      if (ignored.key !== TOKEN_ENV && ignored.key !== PORT_ENV) continue;
      findings.push({ id: 'unit-env-line-ignored', severity: 'warning', summary: `${ref.path}:${ignored.line} ${ignored.key} ${ignored.why}` });
    }
    collect(content.values, `EnvironmentFile:${ref.path}`, token, port);
  }

  const command = unit.execStart[0]?.options;
  const argvToken = command?.get('--token');
  const argvPort = command?.get('--port');
  if (argvToken !== undefined) {
    token.push({ value: argvToken, source: 'ExecStart' });
    findings.push({
      id: 'unit-token-on-command-line',
      severity: 'warning',
      summary: `${unitName} passes --token on its ExecStart= command line, readable by every local user (ps); use ${TOKEN_ENV} from a 0600 EnvironmentFile`,
    });
  }
  if (argvPort !== undefined) port.push({ value: argvPort, source: 'ExecStart' });

  const effectiveToken = token.at(-1);
  if (token.length > 1) {
    findings.push({
      id: 'unit-token-shadowed',
      severity: 'info',
      summary: `${TOKEN_ENV} is set ${token.length} times for ${unitName} (${token.map((t) => t.source).join(', ')}); the last one wins`,
    });
  }
  if (effectiveToken?.source === 'Environment' && effectiveToken.value) {
    findings.push({
      id: 'unit-token-inline',
      severity: 'info',
      summary: `the token is baked into ${unitName} (Environment=): a rotation needs a unit edit and daemon-reload; a 0600 EnvironmentFile needs only a restart`,
    });
  }
  const unitToken = effectiveToken?.value ? effectiveToken.value : undefined;
  if (effectiveToken && !unitToken) {
    findings.push({
      id: 'unit-token-empty',
      severity: 'info',
      summary: `${TOKEN_ENV} is empty in ${effectiveToken.source}: the Gateway takes its token from its config file`,
    });
  }
  const unitTokenFingerprint = unitToken === undefined ? undefined : tokenFingerprint(unitToken);
  const configuredTokenFingerprint = input.configuredToken ? tokenFingerprint(input.configuredToken) : undefined;
  const tokenDrift = unitTokenFingerprint !== undefined && configuredTokenFingerprint !== undefined && unitTokenFingerprint !== configuredTokenFingerprint;
  if (tokenDrift) {
    findings.push({
      id: 'unit-token-drift',
      symptom: 'unit-token-drift',
      severity: 'critical',
      summary: `${unitName} gives the Gateway token ${unitTokenFingerprint} (${effectiveToken?.source}) but clawops is configured with ${configuredTokenFingerprint} (fingerprints)`,
    });
  }

  const effectivePort = port.at(-1);
  const unitPort = effectivePort ? parsePort(effectivePort.value) : undefined;
  if (effectivePort && unitPort === undefined) {
    findings.push({
      id: 'unit-port-invalid',
      severity: 'warning',
      // The value stays out of the summary: a mis-pasted secret must not travel in a report.
      summary: `the port set by ${effectivePort.source} of ${unitName} is not a port number`,
    });
  }
  const portDrift = unitPort !== undefined && input.configuredPort !== undefined && unitPort !== input.configuredPort;
  if (portDrift) {
    findings.push({
      id: 'unit-port-drift',
      symptom: 'unit-token-drift',
      severity: 'critical',
      summary: `${unitName} sets port ${unitPort} (${effectivePort?.source}) but clawops expects ${input.configuredPort}`,
    });
  }

  return {
    ...base,
    unitFound: true,
    tokenSource: unitToken === undefined ? 'none' : (effectiveToken?.source ?? 'none'),
    ...(unitTokenFingerprint ? { unitTokenFingerprint } : {}),
    ...(configuredTokenFingerprint ? { configuredTokenFingerprint } : {}),
    tokenDrift,
    ...(unitPort !== undefined ? { unitPort } : {}),
    ...(unitPort !== undefined && effectivePort ? { portSource: effectivePort.source } : {}),
    portDrift,
    envComplete,
    findings,
  };
}

function collect(values: ReadonlyMap<string, string>, source: TokenSource, token: Setting[], port: Setting[]): void {
  const t = values.get(TOKEN_ENV);
  const p = values.get(PORT_ENV);
  if (t !== undefined) token.push({ value: t, source });
  if (p !== undefined) port.push({ value: p, source });
}

function parsePort(value: string): number | undefined {
  if (!/^\d{1,5}$/.test(value.trim())) return undefined;
  const port = Number(value.trim());
  return port >= 1 && port <= 65535 ? port : undefined;
}
