import { describe, expect, it } from 'vitest';
import { assessListeners, type ListenerMatrixOptions } from '../../src/host/listener-matrix.js';
import { decodeProcAddress, listeningSockets, parseProcNetTcp, type TcpSocket } from '../../src/host/proc-net-tcp.js';
import { parseEnvironmentFile, parseSystemctlShow, splitSystemdWords } from '../../src/host/systemd-unit.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { assessUnitDrift, type EnvFileRead, type UnitDriftInput } from '../../src/host/unit-drift.js';

// ---------------------------------------------------------------------------------------------
// /proc/net/tcp and tcp6 (port 18789 = 0x4965; addresses little-endian per 32-bit word)
// ---------------------------------------------------------------------------------------------

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const TCP6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

/** bind: loopback, as a real Gateway does it: 127.0.0.1 and [::1], plus an accepted client on 127.0.0.1. */
const TCP_LOOPBACK = `${TCP_HEADER}
   0: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41001 1 0000000000000000 100 0 0 10 0
   1: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1234 1 0000000000000000 100 0 0 10 5
   2: 0100007F:4965 0100007F:D2F0 01 00000000:00000000 02:000A7D8C 00000000  1000        0 41077 2 0000000000000000 20 4 30 10 -1
`;
const TCP6_LOOPBACK = `${TCP6_HEADER}
   0: 00000000000000000000000001000000:4965 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41002 1 0000000000000000 100 0 0 10 0
`;
const TCP_WILDCARD = `${TCP_HEADER}
   0: 00000000:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 52001 1 0000000000000000 100 0 0 10 0
`;
const TCP6_WILDCARD = `${TCP6_HEADER}
   0: 00000000000000000000000000000000:4965 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 52002 1 0000000000000000 100 0 0 10 0
`;
/** ::ffff:1.2.3.4 and the tailnet addresses 100.101.102.103 / fd7a:115c:a1e0:ab12:4843:cd96:6265:6667. */
const TCP6_MAPPED_AND_TAILNET = `${TCP6_HEADER}
   0: 0000000000000000FFFF000004030201:4965 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 53001 1 0000000000000000 100 0 0 10 0
   1: 5C117AFD12ABE0A196CD434867666562:4965 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 53002 1 0000000000000000 100 0 0 10 0
`;
const TCP_TAILNET = `${TCP_HEADER}
   0: 67666564:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 54001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 54002 1 0000000000000000 100 0 0 10 0
`;
const TCP_LAN_AND_OTHER_LOOPBACK = `${TCP_HEADER}
   0: 0A01A8C0:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 55001 1 0000000000000000 100 0 0 10 0
   1: 0200007F:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 55002 1 0000000000000000 100 0 0 10 0
   2: 22CB0B8D:4965 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 55003 1 0000000000000000 100 0 0 10 0
`;

describe('decodeProcAddress', () => {
  it.each([
    ['0100007F', '127.0.0.1'],
    ['00000000', '0.0.0.0'],
    ['67666564', '100.101.102.103'],
    ['0A01A8C0', '192.168.1.10'],
    ['00000000000000000000000001000000', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['0000000000000000FFFF000004030201', '::ffff:1.2.3.4'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
    ['5C117AFD12ABE0A196CD434867666562', 'fd7a:115c:a1e0:ab12:4843:cd96:6265:6667'],
    ['000080FE000000000000000001000000', 'fe80::1'],
    // RFC 5952: the longest zero run is compressed (2001:db8:0:0:1:0:0:0 → 2001:db8:0:0:1::)
    ['B80D0120000000000000010000000000', '2001:db8:0:0:1::'],
  ])('%s → %s', (hex, printable) => {
    expect(decodeProcAddress(hex)).toBe(printable);
  });

  it('reads words as written on a big-endian host', () => {
    expect(decodeProcAddress('7F000001', 'BE')).toBe('127.0.0.1');
  });

  it('compresses IPv6 exactly like the WHATWG URL serialiser does', () => {
    // A deterministic sweep of addresses with zero runs in every position.
    for (let mask = 0; mask < 256; mask++) {
      const groups = Array.from({ length: 8 }, (_, i) => ((mask >> i) & 1 ? (i * 0x1111 + 1) & 0xffff : 0));
      if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) continue; // v4-mapped prints dotted
      const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
      const hex = [0, 1, 2, 3]
        .map((w) =>
          bytes
            .slice(w * 4, w * 4 + 4)
            .reverse()
            .map((b) => b.toString(16).padStart(2, '0'))
            .join(''),
        )
        .join('');
      const printable = decodeProcAddress(hex);
      expect(new URL(`http://[${printable}]/`).hostname).toBe(`[${printable}]`);
    }
  });
});

describe('parseProcNetTcp', () => {
  it('reads every row with state, inode, uid and family', () => {
    expect(parseProcNetTcp(TCP_LOOPBACK)).toEqual([
      { address: '127.0.0.1', port: 18789, state: 'LISTEN', inode: 41001, uid: 1000, family: 'ipv4' },
      { address: '127.0.0.53', port: 53, state: 'LISTEN', inode: 1234, uid: 101, family: 'ipv4' },
      { address: '127.0.0.1', port: 18789, state: 'ESTABLISHED', inode: 41077, uid: 1000, family: 'ipv4' },
    ]);
    expect(parseProcNetTcp(TCP6_LOOPBACK)).toEqual([{ address: '::1', port: 18789, state: 'LISTEN', inode: 41002, uid: 1000, family: 'ipv6' }]);
  });

  it('keeps only LISTEN rows for the matrix', () => {
    expect(listeningSockets(parseProcNetTcp(TCP_LOOPBACK)).map((s) => `${s.address}:${s.port}`)).toEqual(['127.0.0.1:18789', '127.0.0.53:53']);
  });

  it('skips headers, blank and malformed lines', () => {
    expect(parseProcNetTcp(`${TCP_HEADER}\n\n   0: garbage\n   1: 0100007F:XYZ1 00000000:0000 0A\n`)).toEqual([]);
    expect(parseProcNetTcp('')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Listener matrix
// ---------------------------------------------------------------------------------------------

const listenersOf = (...tables: string[]): TcpSocket[] => listeningSockets(tables.flatMap((t) => parseProcNetTcp(t)));
const loopback: ListenerMatrixOptions = { port: 18789, bind: 'loopback', tailnetAddresses: [] };
const tailnet: ListenerMatrixOptions = { port: 18789, bind: 'tailnet', tailnetAddresses: ['100.101.102.103', 'fd7a:115c:a1e0:ab12:4843:cd96:6265:6667'] };

describe('assessListeners', () => {
  it.each<[string, TcpSocket[], ListenerMatrixOptions, { bound: string[]; allowed: string[]; violations: [string, string, string][] }]>([
    ['loopback only', listenersOf(TCP_LOOPBACK, TCP6_LOOPBACK), loopback, { bound: ['127.0.0.1', '::1'], allowed: ['127.0.0.1', '::1'], violations: [] }],
    ['0.0.0.0', listenersOf(TCP_WILDCARD), loopback, { bound: ['0.0.0.0'], allowed: [], violations: [['0.0.0.0', 'wildcard', 'critical']] }],
    ['[::]', listenersOf(TCP6_WILDCARD), loopback, { bound: ['::'], allowed: [], violations: [['::', 'wildcard', 'critical']] }],
    ['0.0.0.0 with bind tailnet', listenersOf(TCP_WILDCARD), tailnet, { bound: ['0.0.0.0'], allowed: [], violations: [['0.0.0.0', 'wildcard', 'critical']] }],
    [
      'v4-mapped public and tailnet v6, bind loopback',
      listenersOf(TCP6_MAPPED_AND_TAILNET),
      loopback,
      {
        bound: ['::ffff:1.2.3.4', 'fd7a:115c:a1e0:ab12:4843:cd96:6265:6667'],
        allowed: [],
        violations: [
          ['::ffff:1.2.3.4', 'public', 'critical'],
          ['fd7a:115c:a1e0:ab12:4843:cd96:6265:6667', 'tailnet', 'warning'],
        ],
      },
    ],
    [
      'v4-mapped public and tailnet v6, bind tailnet',
      listenersOf(TCP6_MAPPED_AND_TAILNET),
      tailnet,
      {
        bound: ['::ffff:1.2.3.4', 'fd7a:115c:a1e0:ab12:4843:cd96:6265:6667'],
        allowed: ['fd7a:115c:a1e0:ab12:4843:cd96:6265:6667'],
        violations: [['::ffff:1.2.3.4', 'public', 'critical']],
      },
    ],
    [
      'tailnet address, bind tailnet',
      listenersOf(TCP_TAILNET),
      tailnet,
      { bound: ['100.101.102.103', '127.0.0.1'], allowed: ['100.101.102.103', '127.0.0.1'], violations: [] },
    ],
    [
      'tailnet address, bind loopback',
      listenersOf(TCP_TAILNET),
      loopback,
      { bound: ['100.101.102.103', '127.0.0.1'], allowed: ['127.0.0.1'], violations: [['100.101.102.103', 'tailnet', 'warning']] },
    ],
    [
      "someone else's tailnet address, bind tailnet",
      listenersOf(TCP_TAILNET),
      { ...tailnet, tailnetAddresses: ['100.64.0.7'] },
      { bound: ['100.101.102.103', '127.0.0.1'], allowed: ['127.0.0.1'], violations: [['100.101.102.103', 'tailnet', 'warning']] },
    ],
    [
      'LAN, other loopback and public',
      listenersOf(TCP_LAN_AND_OTHER_LOOPBACK),
      loopback,
      {
        bound: ['192.168.1.10', '127.0.0.2', '141.11.203.34'],
        allowed: [],
        violations: [
          ['192.168.1.10', 'lan', 'critical'],
          ['127.0.0.2', 'other-loopback', 'warning'],
          ['141.11.203.34', 'public', 'critical'],
        ],
      },
    ],
    ['nothing on the port', listenersOf(TCP_LOOPBACK), { ...loopback, port: 18790 }, { bound: [], allowed: [], violations: [] }],
  ])('%s', (_name, listeners, options, expected) => {
    const result = assessListeners(listeners, options);
    expect(result.bound).toEqual(expected.bound);
    expect(result.allowed).toEqual(expected.allowed);
    expect(result.violations.map((v) => [v.address, v.kind, v.severity])).toEqual(expected.violations);
    expect(result.listening).toBe(expected.bound.length > 0);
    for (const v of result.violations) expect(v.symptom).toBe('bind-not-loopback');
  });

  it('says why with the resolved address', () => {
    const [violation] = assessListeners(listenersOf(TCP6_WILDCARD), loopback).violations;
    expect(violation?.why).toBe('[::]:18789 listens on every IPv6 (and usually IPv4) interface (bind lan/auto); expected bind loopback');
  });

  it('ignores sockets that are not listening', () => {
    const established = parseProcNetTcp(TCP_LOOPBACK).filter((s) => s.state === 'ESTABLISHED');
    expect(assessListeners(established, loopback).listening).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// systemctl show and EnvironmentFiles
// ---------------------------------------------------------------------------------------------

const CONFIGURED = 'SeCrEt-configured-4f1e9a7c2d';
const STALE = 'SeCrEt-stale-b81d03ee';
const EXEC_START =
  'ExecStart={ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway run ; ignore_errors=no ; start_time=[Mon 2026-09-07 10:00:00 UTC] ; stop_time=[n/a] ; pid=4242 ; code=(null) ; status=0/0 }';

const show = (...lines: string[]) =>
  [
    'LoadState=loaded',
    'ActiveState=active',
    'SubState=running',
    'FragmentPath=/etc/systemd/system/openclaw-gateway.service',
    'NeedDaemonReload=no',
    ...lines,
  ].join('\n') + '\n';

const SHOW_INLINE = show(`Environment=NODE_ENV=production OPENCLAW_GATEWAY_TOKEN=${STALE} OPENCLAW_GATEWAY_PORT=18789`, EXEC_START);
const SHOW_FILE = show('Environment=NODE_ENV=production', 'EnvironmentFiles=/etc/openclaw/gateway.env (ignore_errors=no)', EXEC_START);
const SHOW_DROP_INS = show(
  'DropInPaths=/etc/systemd/system/openclaw-gateway.service.d/10-env.conf /etc/systemd/system/openclaw-gateway.service.d/20-token.conf',
  `Environment=OPENCLAW_GATEWAY_TOKEN=${STALE}`,
  'EnvironmentFiles=/etc/openclaw/gateway.env (ignore_errors=no)',
  'EnvironmentFiles=/etc/openclaw/optional.env (ignore_errors=yes)',
  'EnvironmentFiles=/etc/openclaw/rotated.env (ignore_errors=no)',
  EXEC_START,
);
const SHOW_MISSING = 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nNeedDaemonReload=no\n';
const SHOW_QUOTED = show(
  `Environment="OPENCLAW_GATEWAY_TOKEN=${CONFIGURED} with space" "GREETING=say \\"hi\\" to \\$USER" PATH=/usr/bin:/bin [unprintable]`,
  EXEC_START,
);

describe('splitSystemdWords', () => {
  it.each([
    ['A=b C=d', ['A=b', 'C=d']],
    ['"A=b c" D=e', ['A=b c', 'D=e']],
    ['"Q=say \\"hi\\"" "R=a\\\\b" "S=\\$HOME"', ['Q=say "hi"', 'R=a\\b', 'S=$HOME']],
    ["'T=x y'  U=", ['T=x y', 'U=']],
    ['', []],
  ])('%s', (input, words) => {
    expect(splitSystemdWords(input)).toEqual(words);
  });
});

describe('parseSystemctlShow', () => {
  it('reads state, paths and the inline environment', () => {
    const unit = parseSystemctlShow(SHOW_INLINE);
    expect(unit).toMatchObject({
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      fragmentPath: '/etc/systemd/system/openclaw-gateway.service',
    });
    expect([...unit.environment]).toEqual([
      ['NODE_ENV', 'production'],
      ['OPENCLAW_GATEWAY_TOKEN', STALE],
      ['OPENCLAW_GATEWAY_PORT', '18789'],
    ]);
    expect(unit.execStart).toEqual([{ path: '/usr/bin/openclaw', options: new Map() }]);
  });

  it('reads several EnvironmentFiles in order, optional ones marked, and drop-ins', () => {
    const unit = parseSystemctlShow(SHOW_DROP_INS);
    expect(unit.environmentFiles).toEqual([
      { path: '/etc/openclaw/gateway.env', optional: false },
      { path: '/etc/openclaw/optional.env', optional: true },
      { path: '/etc/openclaw/rotated.env', optional: false },
    ]);
    expect(unit.dropInPaths).toEqual([
      '/etc/systemd/system/openclaw-gateway.service.d/10-env.conf',
      '/etc/systemd/system/openclaw-gateway.service.d/20-token.conf',
    ]);
  });

  it('accepts the unit-file "-" prefix and the pre-v219 singular key', () => {
    expect(parseSystemctlShow('EnvironmentFile=-/etc/default/openclaw (ignore_errors=no)\n').environmentFiles).toEqual([
      { path: '/etc/default/openclaw', optional: true },
    ]);
  });

  it('reads quoted values and counts [unprintable] ones', () => {
    const unit = parseSystemctlShow(SHOW_QUOTED);
    expect(unit.environment.get('OPENCLAW_GATEWAY_TOKEN')).toBe(`${CONFIGURED} with space`);
    expect(unit.environment.get('GREETING')).toBe('say "hi" to $USER');
    expect(unit.environment.get('PATH')).toBe('/usr/bin:/bin');
    expect(unit.unprintableEnvironment).toBe(1);
  });

  it('reads a missing unit', () => {
    expect(parseSystemctlShow(SHOW_MISSING)).toMatchObject({ loadState: 'not-found', activeState: 'inactive', environmentFiles: [] });
  });

  it('takes --port and --token from ExecStart and nothing else of argv', () => {
    const unit = parseSystemctlShow(
      show(
        `ExecStart={ path=/usr/bin/node ; argv[]=/usr/bin/node /opt/openclaw/openclaw.mjs gateway --port=18790 --token ${STALE} --verbose ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }`,
      ),
    );
    expect(unit.execStart[0]?.options).toEqual(
      new Map([
        ['--port', '18790'],
        ['--token', STALE],
      ]),
    );
  });

  it('renders environments as {} when serialised, so a logged unit does not spill values', () => {
    expect(JSON.stringify(parseSystemctlShow(SHOW_INLINE))).not.toContain(STALE);
  });
});

describe('parseEnvironmentFile', () => {
  it.each<[string, string, Record<string, string>]>([
    ['plain', 'A=1\nB=two words\n', { A: '1', B: 'two words' }],
    ['comments and blank lines', '# a comment\n; another\n\n   C=3\n', { C: '3' }],
    ['double quotes with escapes', 'D="a \\"b\\" \\$c \\n"\n', { D: 'a "b" $c \\n' }],
    ['single quotes are literal', 'E=\'x \\ "y"\'\n', { E: 'x \\ "y"' }],
    ['quotes only open a value', 'F=a"b c"\n', { F: 'a"b c"' }],
    ['trailing whitespace dropped, # kept', 'G=value # not a comment   \n', { G: 'value # not a comment' }],
    ['space around =', 'H = spaced\n', { H: 'spaced' }],
    ['continuation lines', 'I=one \\\ntwo\n', { I: 'one two' }],
    ['multi-line double quotes', 'J="line1\nline2"\n', { J: 'line1\nline2' }],
    ['CRLF', 'K=crlf\r\nL=next\r\n', { K: 'crlf', L: 'next' }],
    ['later assignment wins', 'M=1\nM=2\n', { M: '2' }],
    ['empty value and no final newline', 'N=\nO=last', { N: '', O: 'last' }],
  ])('%s', (_name, text, expected) => {
    expect(Object.fromEntries(parseEnvironmentFile(text).values)).toEqual(expected);
  });

  it('reports export-prefixed and invalid keys by name only', () => {
    const content = parseEnvironmentFile(`export OPENCLAW_GATEWAY_TOKEN=${STALE}\n1BAD=x\nOK=y\n`);
    expect(Object.fromEntries(content.values)).toEqual({ OK: 'y' });
    expect(content.ignored.map((i) => [i.line, i.key])).toEqual([
      [1, 'OPENCLAW_GATEWAY_TOKEN'],
      [2, '1BAD'],
    ]);
    expect(JSON.stringify(content)).not.toContain(STALE);
  });
});

// ---------------------------------------------------------------------------------------------
// Unit drift
// ---------------------------------------------------------------------------------------------

const file = (text: string): EnvFileRead => ({ ok: true, text });
const drift = (showText: string, files: Record<string, EnvFileRead> = {}, extra: Partial<UnitDriftInput> = {}) =>
  assessUnitDrift({
    unitName: 'openclaw-gateway.service',
    unit: parseSystemctlShow(showText),
    envFiles: new Map(Object.entries(files)),
    configuredToken: CONFIGURED,
    configuredPort: 18789,
    ...extra,
  });
const ids = (result: { findings: { id: string }[] }) => result.findings.map((f) => f.id);

describe('tokenFingerprint', () => {
  it('is the first 12 hex of sha256 over the domain-prefixed token', () => {
    expect(tokenFingerprint('abc')).toMatch(/^[0-9a-f]{12}$/);
    expect(tokenFingerprint('abc')).toBe(tokenFingerprint('abc'));
    expect(tokenFingerprint('abc')).not.toBe(tokenFingerprint('abd'));
  });
});

describe('assessUnitDrift', () => {
  it('inline token that differs: drift, by fingerprint', () => {
    const result = drift(SHOW_INLINE);
    expect(result).toMatchObject({
      unitFound: true,
      activeState: 'active',
      tokenSource: 'Environment',
      unitTokenFingerprint: tokenFingerprint(STALE),
      configuredTokenFingerprint: tokenFingerprint(CONFIGURED),
      tokenDrift: true,
      unitPort: 18789,
      portSource: 'Environment',
      portDrift: false,
      envComplete: true,
    });
    expect(ids(result)).toEqual(['unit-token-inline', 'unit-token-drift']);
    expect(result.findings.find((f) => f.id === 'unit-token-drift')).toMatchObject({ symptom: 'unit-token-drift', severity: 'critical' });
  });

  it('file-based token that matches: no drift', () => {
    const result = drift(SHOW_FILE, { '/etc/openclaw/gateway.env': file(`# rotated\nOPENCLAW_GATEWAY_TOKEN="${CONFIGURED}"\n`) });
    expect(result).toMatchObject({ tokenSource: 'EnvironmentFile:/etc/openclaw/gateway.env', tokenDrift: false, portDrift: false });
    expect(result.unitPort).toBeUndefined();
    expect(ids(result)).toEqual([]);
  });

  it('drop-ins: EnvironmentFiles override Environment=, the later file wins, missing optional files are skipped', () => {
    const result = drift(SHOW_DROP_INS, {
      '/etc/openclaw/gateway.env': file(`OPENCLAW_GATEWAY_TOKEN=${STALE}\nOPENCLAW_GATEWAY_PORT=18789\n`),
      '/etc/openclaw/optional.env': { ok: false, reason: 'missing' },
      '/etc/openclaw/rotated.env': file(`OPENCLAW_GATEWAY_TOKEN=${CONFIGURED}\n`),
    });
    expect(result).toMatchObject({ tokenSource: 'EnvironmentFile:/etc/openclaw/rotated.env', tokenDrift: false, unitPort: 18789, envComplete: true });
    expect(ids(result)).toEqual(['unit-token-shadowed']);
  });

  it('drop-ins: a stale token in the last file drifts even when an earlier one is right', () => {
    const result = drift(SHOW_DROP_INS, {
      '/etc/openclaw/gateway.env': file(`OPENCLAW_GATEWAY_TOKEN=${CONFIGURED}\n`),
      '/etc/openclaw/optional.env': { ok: false, reason: 'missing' },
      '/etc/openclaw/rotated.env': file(`OPENCLAW_GATEWAY_TOKEN=${STALE}\n`),
    });
    expect(result).toMatchObject({ tokenSource: 'EnvironmentFile:/etc/openclaw/rotated.env', tokenDrift: true });
  });

  it('the raw token never appears in the result', () => {
    for (const result of [
      drift(SHOW_INLINE),
      drift(SHOW_QUOTED),
      drift(SHOW_DROP_INS, { '/etc/openclaw/gateway.env': file(`OPENCLAW_GATEWAY_TOKEN=${STALE}\nOPENCLAW_GATEWAY_PORT=${STALE}\n`) }),
      drift(show(`ExecStart={ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway --token ${STALE} ; ignore_errors=no ; start_time=[n/a] }`)),
      drift(SHOW_FILE, { '/etc/openclaw/gateway.env': file(`export OPENCLAW_GATEWAY_TOKEN=${STALE}\n`) }),
    ]) {
      const json = JSON.stringify(result);
      expect(json).not.toContain(STALE);
      expect(json).not.toContain(CONFIGURED);
      expect(json).not.toContain('SeCrEt');
    }
  });

  it('port drift from the environment, and --port beating it', () => {
    expect(drift(show('Environment=OPENCLAW_GATEWAY_PORT=18790'))).toMatchObject({ unitPort: 18790, portDrift: true, tokenSource: 'none', tokenDrift: false });
    const argv = drift(
      show(
        'Environment=OPENCLAW_GATEWAY_PORT=18790',
        'ExecStart={ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway --port 18789 ; ignore_errors=no ; start_time=[n/a] }',
      ),
    );
    expect(argv).toMatchObject({ unitPort: 18789, portSource: 'ExecStart', portDrift: false });
  });

  it('--token on the command line wins and is flagged', () => {
    const result = drift(
      show(
        `Environment=OPENCLAW_GATEWAY_TOKEN=${STALE}`,
        `ExecStart={ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway --token=${CONFIGURED} ; ignore_errors=no ; start_time=[n/a] }`,
      ),
    );
    expect(result).toMatchObject({ tokenSource: 'ExecStart', tokenDrift: false });
    expect(ids(result)).toContain('unit-token-on-command-line');
  });

  it('missing unit', () => {
    expect(drift(SHOW_MISSING)).toMatchObject({ unitFound: false, activeState: 'inactive', tokenSource: 'none', tokenDrift: false, portDrift: false });
    expect(ids(drift(SHOW_MISSING))).toEqual(['unit-not-found']);
  });

  it('a required EnvironmentFile that is missing keeps the unit from starting', () => {
    const result = drift(SHOW_FILE, { '/etc/openclaw/gateway.env': { ok: false, reason: 'missing' } });
    expect(result.findings).toEqual([expect.objectContaining({ id: 'unit-env-file-missing', severity: 'critical' })]);
    expect(result.tokenSource).toBe('none');
  });

  it('an unreadable EnvironmentFile leaves the check incomplete', () => {
    const result = drift(SHOW_FILE, { '/etc/openclaw/gateway.env': { ok: false, reason: 'unreadable', code: 'EACCES' } });
    expect(result).toMatchObject({ envComplete: false, tokenDrift: false, tokenSource: 'none' });
    expect(result.findings[0]?.summary).toContain('EACCES');
  });

  it('an `export` line gives the Gateway nothing, and says so', () => {
    const result = drift(SHOW_FILE, { '/etc/openclaw/gateway.env': file(`export OPENCLAW_GATEWAY_TOKEN=${CONFIGURED}\n`) });
    expect(result).toMatchObject({ tokenSource: 'none', tokenDrift: false });
    expect(result.findings).toEqual([expect.objectContaining({ id: 'unit-env-line-ignored', severity: 'warning' })]);
  });

  it('quoted inline token, [unprintable] assignments, daemon-reload pending, unit failed', () => {
    const result = drift(SHOW_QUOTED.replace('ActiveState=active', 'ActiveState=failed').replace('NeedDaemonReload=no', 'NeedDaemonReload=yes'));
    expect(result).toMatchObject({ tokenDrift: true, envComplete: false, activeState: 'failed' });
    expect(ids(result)).toEqual(['unit-needs-daemon-reload', 'unit-not-active', 'unit-environment-unprintable', 'unit-token-inline', 'unit-token-drift']);
  });

  it('no configured token: nothing to compare, no drift', () => {
    const result = drift(SHOW_INLINE, {}, { configuredToken: undefined });
    expect(result).toMatchObject({ tokenDrift: false, unitTokenFingerprint: tokenFingerprint(STALE) });
    expect(result.configuredTokenFingerprint).toBeUndefined();
  });

  it('an empty token is not a token', () => {
    const result = drift(show('Environment=OPENCLAW_GATEWAY_TOKEN='));
    expect(result).toMatchObject({ tokenSource: 'none', tokenDrift: false });
    expect(ids(result)).toEqual(['unit-token-empty']);
  });

  it('a port that is not a number is reported without its value', () => {
    const result = drift(show('Environment=OPENCLAW_GATEWAY_PORT=eighteen'));
    expect(result.unitPort).toBeUndefined();
    expect(ids(result)).toEqual(['unit-port-invalid']);
    expect(JSON.stringify(result)).not.toContain('eighteen');
  });
});
