import type { ExecFileFn, ExecOutcome } from '../../src/host/exec-file.js';

/**
 * The gateway host's programs, played from scripts: systemd does not run here, so `systemctl show`
 * answers with the text a real systemd prints for the unit the test describes, and `npm root -g`
 * names a directory the test filled. Every call is recorded, so a test can prove the agent ran
 * nothing but its fixed set.
 */
export interface UnitScript {
  activeState?: 'active' | 'failed' | 'inactive';
  /** `Environment=` assignments, as systemd prints them (space-separated words). */
  environment?: string;
  /** `EnvironmentFiles=` paths, in order. */
  environmentFiles?: string[];
  loadState?: 'loaded' | 'not-found';
}

export function systemctlShow(unit: UnitScript): string {
  if (unit.loadState === 'not-found') return 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nNeedDaemonReload=no\n';
  const active = unit.activeState ?? 'active';
  return [
    'LoadState=loaded',
    `ActiveState=${active}`,
    `SubState=${active === 'active' ? 'running' : active === 'failed' ? 'failed' : 'dead'}`,
    'FragmentPath=/etc/systemd/system/openclaw-gateway.service',
    'NeedDaemonReload=no',
    ...(unit.environment ? [`Environment=${unit.environment}`] : []),
    ...(unit.environmentFiles ?? []).map((path) => `EnvironmentFiles=${path} (ignore_errors=no)`),
    'ExecStart={ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway run ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }',
  ].join('\n');
}

export interface HostScript {
  unit: UnitScript;
  /** What `npm root -g` prints (a directory holding openclaw/package.json), if anything. */
  npmRoot?: string;
}

export function scriptedHost(script: HostScript): { exec: ExecFileFn; calls: string[] } {
  const calls: string[] = [];
  const missing = (file: string): ExecOutcome => ({ ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` });
  const exec: ExecFileFn = async (file, args) => {
    calls.push([file, ...args].join(' '));
    if (file === 'systemctl' && args[0] === 'show') return { ok: true, stdout: `${systemctlShow(script.unit)}\n`, stderr: '' };
    if (file === 'npm' && args.join(' ') === 'root -g' && script.npmRoot) return { ok: true, stdout: `${script.npmRoot}\n`, stderr: '' };
    return missing(file);
  };
  return { exec, calls };
}

/** The only commands the agent may run, whatever a job says. */
export const FIXED_COMMANDS = [
  /^npm root -g$/,
  /^nft -j list ruleset$/,
  /^nft list ruleset$/,
  /^iptables-save$/,
  /^ip6tables-save$/,
  /^systemctl show --no-pager --property=\S+ -- [A-Za-z0-9@._-]+$/,
  /^\/\S+\/openclaw doctor --lint --json$/,
];
