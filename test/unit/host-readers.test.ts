import { describe, expect, it } from 'vitest';
import { parseDoctorLint, runDoctorLint } from '../../src/host/doctor.js';
import type { ExecFileFn, ExecOutcome } from '../../src/host/exec-file.js';
import { createFindExecutable } from '../../src/host/find-executable.js';
import { compareRunningInstalled, findInstalledVersion } from '../../src/host/installed-version.js';
import { readListeners } from '../../src/host/read-listeners.js';
import { readUnit } from '../../src/host/read-unit.js';

/** A scripted exec: records calls, answers from a table keyed by the program name. */
function fakeExec(answers: Record<string, ExecOutcome>) {
  const calls: { file: string; args: readonly string[] }[] = [];
  const exec: ExecFileFn = async (file, args) => {
    calls.push({ file, args });
    return answers[file] ?? { ok: false, reason: 'missing', stdout: '', stderr: '', message: `spawn ${file} ENOENT` };
  };
  return { exec, calls };
}

const errno = (code: string) => Object.assign(new Error(code), { code });
function fakeFiles(files: Record<string, string | Error>) {
  const reads: string[] = [];
  const readFile = async (path: string) => {
    reads.push(path);
    const content = files[path];
    if (content === undefined) throw errno('ENOENT');
    if (content instanceof Error) throw content;
    return content;
  };
  return { readFile, reads };
}

describe('readUnit', () => {
  const SHOW = [
    'LoadState=loaded',
    'ActiveState=active',
    'SubState=running',
    'EnvironmentFiles=/etc/openclaw/gateway.env (ignore_errors=no)',
    'EnvironmentFiles=/etc/openclaw/secret.env (ignore_errors=no)',
    'EnvironmentFiles=/etc/openclaw/gone.env (ignore_errors=yes)',
  ].join('\n');

  it('runs systemctl show without a shell, the name after --, then reads the files systemd names', async () => {
    const { exec, calls } = fakeExec({ systemctl: { ok: true, stdout: SHOW, stderr: '' } });
    const { readFile, reads } = fakeFiles({ '/etc/openclaw/gateway.env': 'OPENCLAW_GATEWAY_PORT=18789\n', '/etc/openclaw/secret.env': errno('EACCES') });
    const reading = await readUnit('openclaw-gateway.service', { exec, readFile });
    expect(calls).toEqual([
      {
        file: 'systemctl',
        args: [
          'show',
          '--no-pager',
          '--property=LoadState,ActiveState,SubState,FragmentPath,DropInPaths,Environment,EnvironmentFiles,ExecStart,NeedDaemonReload',
          '--',
          'openclaw-gateway.service',
        ],
      },
    ]);
    expect(reads).toEqual(['/etc/openclaw/gateway.env', '/etc/openclaw/secret.env', '/etc/openclaw/gone.env']);
    expect(reading.available && Object.fromEntries(reading.envFiles)).toEqual({
      '/etc/openclaw/gateway.env': { ok: true, text: 'OPENCLAW_GATEWAY_PORT=18789\n' },
      '/etc/openclaw/secret.env': { ok: false, reason: 'unreadable', code: 'EACCES' },
      '/etc/openclaw/gone.env': { ok: false, reason: 'missing' },
    });
  });

  it.each(['-Hevil', '--host=x', 'a b.service', 'unit;rm', '../x', ''])('refuses the unit name %j without running anything', async (name) => {
    const { exec, calls } = fakeExec({});
    expect(await readUnit(name, { exec })).toEqual({ available: false, reason: 'invalid-unit-name' });
    expect(calls).toEqual([]);
  });

  it('systemctl missing, systemd not running, timeout', async () => {
    expect(await readUnit('openclaw.service', { exec: fakeExec({}).exec })).toEqual({ available: false, reason: 'systemctl-missing' });
    const noSystemd = fakeExec({
      systemctl: {
        ok: false,
        reason: 'exit',
        exitCode: 1,
        stdout: '',
        stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\n",
        message: 'Command failed',
      },
    });
    expect(await readUnit('openclaw.service', { exec: noSystemd.exec })).toEqual({
      available: false,
      reason: 'systemd-unavailable',
      detail: "System has not been booted with systemd as init system (PID 1). Can't operate.",
    });
    const slow = fakeExec({ systemctl: { ok: false, reason: 'timeout', stdout: '', stderr: '', message: 'killed' } });
    expect(await readUnit('openclaw.service', { exec: slow.exec })).toEqual({ available: false, reason: 'timeout' });
  });
});

describe('readListeners', () => {
  const TCP =
    '  sl  local_address rem_address   st\n   0: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41001 1 0 100 0 0 10 0\n';

  it('reads the fixed tables; a missing tcp6 is fine', async () => {
    const { readFile, reads } = fakeFiles({ '/proc/net/tcp': TCP });
    const reading = await readListeners(readFile);
    expect(reads).toEqual(['/proc/net/tcp', '/proc/net/tcp6']);
    expect(reading).toMatchObject({ available: true, tcp6: 'missing', listeners: [{ address: '127.0.0.1', port: 18789 }] });
  });

  it('no /proc is a value, not a throw', async () => {
    expect(await readListeners(fakeFiles({}).readFile)).toEqual({ available: false, reason: 'no-proc', code: 'ENOENT' });
  });
});

describe('findInstalledVersion', () => {
  const pkg = (version: string, name = 'openclaw') => JSON.stringify({ name, version });

  it('asks npm root -g first, then the default roots, and lists other installs', async () => {
    const { exec } = fakeExec({ npm: { ok: true, stdout: '/opt/example/npm-global/lib/node_modules\n', stderr: 'npm warn something\n' } });
    const { readFile } = fakeFiles({
      '/opt/example/npm-global/lib/node_modules/openclaw/package.json': pkg('2026.9.6'),
      '/usr/lib/node_modules/openclaw/package.json': pkg('2026.8.1'),
      '/usr/local/lib/node_modules/openclaw/package.json': '{not json',
    });
    expect(await findInstalledVersion({ exec, readFile })).toEqual({
      found: true,
      version: '2026.9.6',
      packageJsonPath: '/opt/example/npm-global/lib/node_modules/openclaw/package.json',
      others: [{ packageJsonPath: '/usr/lib/node_modules/openclaw/package.json', version: '2026.8.1' }],
    });
  });

  it('without npm, and with a package of another name, reports where it looked', async () => {
    const { readFile } = fakeFiles({ '/usr/lib/node_modules/openclaw/package.json': pkg('1.0.0', 'not-openclaw') });
    expect(await findInstalledVersion({ exec: fakeExec({}).exec, readFile })).toEqual({
      found: false,
      searched: ['/usr/lib/node_modules', '/usr/local/lib/node_modules'],
    });
  });
});

describe('compareRunningInstalled', () => {
  it.each([
    ['2026.9.6', '2026.9.6', 'match'],
    ['v2026.9.6', '2026.9.6', 'match'],
    ['2026.9.5', '2026.9.6', 'stale-process'],
    ['2026.9.6', '2026.9.5', 'stale-process'],
    [undefined, '2026.9.6', 'unknown'],
    ['2026.9.6', undefined, 'unknown'],
    ['', '', 'unknown'],
  ] as const)('running %s, installed %s → %s', (running, installed, status) => {
    expect(compareRunningInstalled(running, installed).status).toBe(status);
  });

  it('says what to do', () => {
    expect(compareRunningInstalled('2026.9.5', '2026.9.6').summary).toBe(
      'the Gateway runs 2026.9.5 but 2026.9.6 is installed: the process predates the last upgrade or downgrade; restart it',
    );
  });
});

describe('parseDoctorLint', () => {
  // The documented shape of openclaw 2026.9.6 (docs/cli/doctor/lint.md).
  const REAL = JSON.stringify({
    schemaVersion: 1,
    ok: false,
    checksRun: 5,
    checksSkipped: 0,
    findings: [
      {
        checkId: 'core/doctor/gateway-config',
        severity: 'warning',
        message: 'gateway.mode is unset; gateway start will be blocked.',
        path: 'gateway.mode',
        fixHint: 'Run `openclaw configure` and set Gateway mode (local/remote), or `openclaw config set gateway.mode local`.',
      },
    ],
  });

  it('reads the real shape', () => {
    expect(parseDoctorLint(`${REAL}\n`)).toEqual({
      ok: false,
      checksRun: 5,
      findings: [
        {
          id: 'core/doctor/gateway-config',
          severity: 'warning',
          message: 'gateway.mode is unset; gateway start will be blocked.',
          path: 'gateway.mode',
          fixHint: 'Run `openclaw configure` and set Gateway mode (local/remote), or `openclaw config set gateway.mode local`.',
        },
      ],
      warnings: [],
      notes: [],
    });
  });

  it('reads the exit-2 failure document and the updater warnings array', () => {
    const failure = {
      ok: false,
      error: { type: 'cli_error', message: 'state lease busy' },
      schemaVersion: 1,
      checksRun: 0,
      checksSkipped: 0,
      findings: [{ checkId: 'core/doctor/lint-inspection', severity: 'error', source: 'doctor', message: 'state lease busy' }],
      warnings: [{ checkId: 'core/doctor/open-dm-policy', severity: 'warning', message: 'open DM policy' }],
    };
    const lint = parseDoctorLint(JSON.stringify(failure));
    expect(lint.findings).toEqual([{ id: 'core/doctor/lint-inspection', severity: 'error', message: 'state lease busy' }]);
    expect(lint.warnings).toEqual([{ id: 'core/doctor/open-dm-policy', severity: 'warning', message: 'open DM policy' }]);
  });

  it('is liberal about field names and log lines before the document', () => {
    const text = `[plugins] loading…\n${JSON.stringify({ findings: [{ code: 'X1', level: 'warn', message: 'm' }, { id: 'X2', level: 'fatal', msg: 'n' }, { id: 'no-message' }] })}\n`;
    expect(parseDoctorLint(text)).toEqual({
      findings: [
        { id: 'X1', severity: 'warning', message: 'm' },
        { id: 'X2', severity: 'error', message: 'n' },
      ],
      warnings: [],
      notes: ['1 doctor finding(s) without a message were skipped'],
    });
  });

  it.each(['', 'not json', '[]', '{"something":"else"}', '{"findings":"nope"}'])('unknown shape %j → no findings and a note', (text) => {
    const lint = parseDoctorLint(text);
    expect(lint.findings).toEqual([]);
    expect(lint.notes).toHaveLength(1);
  });
});

describe('runDoctorLint', () => {
  it('does not run when the CLI is not installed', async () => {
    const { exec, calls } = fakeExec({});
    expect(await runDoctorLint({ exec, findExecutable: async () => undefined })).toEqual({ ran: false, reason: 'cli-missing' });
    expect(calls).toEqual([]);
  });

  it('exit 1 still carries the findings', async () => {
    const stdout = JSON.stringify({ ok: false, checksRun: 1, findings: [{ checkId: 'a', severity: 'error', message: 'b' }] });
    const { exec, calls } = fakeExec({ '/usr/bin/openclaw': { ok: false, reason: 'exit', exitCode: 1, stdout, stderr: '', message: 'Command failed' } });
    const run = await runDoctorLint({ exec, findExecutable: async () => '/usr/bin/openclaw' });
    expect(calls).toEqual([{ file: '/usr/bin/openclaw', args: ['doctor', '--lint', '--json'] }]);
    expect(run).toMatchObject({ ran: true, exitCode: 1, timedOut: false, lint: { ok: false, findings: [{ id: 'a', severity: 'error', message: 'b' }] } });
  });

  it('a timeout is a note, not a throw', async () => {
    const { exec } = fakeExec({ '/usr/bin/openclaw': { ok: false, reason: 'timeout', stdout: '', stderr: '', message: 'killed' } });
    const run = await runDoctorLint({ exec, findExecutable: async () => '/usr/bin/openclaw', timeoutMs: 50 });
    expect(run).toMatchObject({ ran: true, timedOut: true });
    expect(run.ran && run.lint.notes).toContain('openclaw doctor timed out after 50 ms');
  });
});

describe('createFindExecutable', () => {
  it('looks only in absolute PATH entries', async () => {
    const tried: string[] = [];
    const find = createFindExecutable(['.', '', '/opt/bin', '/usr/bin'].join(':'), async (p) => {
      tried.push(p);
      return p === '/usr/bin/openclaw';
    });
    expect(await find('openclaw')).toBe('/usr/bin/openclaw');
    expect(tried).toEqual(['/opt/bin/openclaw', '/usr/bin/openclaw']);
  });
});
