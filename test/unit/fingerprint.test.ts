import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { LayerOf, ProbeReport } from '../../src/report/report.js';
import { buildFingerprint, fingerprintHash, namedSet } from '../../src/features/fingerprint/build.js';
import { diffFingerprints, mergeIfSame, sinceLastGood } from '../../src/features/fingerprint/diff.js';
import type { Fingerprint, GoodFingerprint } from '../../src/features/fingerprint/model.js';
import { sinceLastGoodMarkdown, sinceLastGoodSlack, sinceLastGoodTerminal } from '../../src/features/fingerprint/render.js';
import { applyGood, lastGoodBefore, nextGood, refreshOfKnownHead } from '../../src/features/fingerprint/store.js';
import { fingerprintView } from '../../src/features/fingerprint/view.js';
import { renderFingerprintMarkdown, renderFingerprintSlack, renderFingerprintTerminal } from '../../src/features/fingerprint/render-view.js';
import { boundedFeatures, MAX_FEATURE_NAMES } from '../../src/openclaw/advertised-features.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';
import { blockKitProblems } from '../support/slack-emulator.js';

/**
 * The success fingerprint, PURE: built from literal reports, diffed, rendered. The reports are
 * the shapes the ladder produces (test/support/reports.ts) with the hello-ok facts of the recorded
 * 2026.9.6 Gateway (build id, advertised methods and events).
 */
const METHODS_2026_9_2 = ['health', 'status', 'channels.status', 'config.get', 'sessions.reset', 'logs.tail'];
const METHODS_2026_9_6 = [
  'health',
  'status',
  'channels.status',
  'config.get',
  'logs.tail',
  'sessions.files.list',
  'sessions.files.get',
  'doctor.memory.status',
  'tasks.list',
];
const EVENTS = ['connect.challenge', 'tick', 'shutdown', 'health'];

function report(
  options: {
    version?: string;
    buildId?: string;
    methods?: string[];
    events?: string[];
    scopes?: string[];
    at?: string;
    channels?: LayerOf<'channels'>['evidence'];
  } = {},
): ProbeReport {
  const version = options.version ?? '2026.9.6';
  const base = healthyReport();
  const handshake = base.layers.find((layer) => layer.layer === 'handshake') as LayerOf<'handshake'>;
  const status = base.layers.find((layer) => layer.layer === 'status') as LayerOf<'status'>;
  const channels = base.layers.find((layer) => layer.layer === 'channels') as LayerOf<'channels'>;
  const next = withLayer(
    base,
    {
      ...handshake,
      evidence: {
        ...handshake.evidence!,
        serverVersion: version,
        buildId: options.buildId ?? `${version}-release-eb377ac59e6c`,
        scopes: options.scopes ?? ['operator.read'],
        features: { methods: options.methods ?? METHODS_2026_9_6, events: options.events ?? EVENTS },
      },
    },
    { ...status, evidence: { method: 'status', runtimeVersion: version } },
    options.channels ? { ...channels, evidence: options.channels } : channels,
  );
  next.startedAt = options.at ?? '2026-11-24T09:12:00.000Z';
  return next;
}

const fp = (r: ProbeReport): Fingerprint => buildFingerprint(r, diagnose(r));
const good = (fingerprint: Fingerprint, seen = fingerprint.at): GoodFingerprint => ({ fingerprint, firstSeenAt: fingerprint.at, lastSeenAt: seen });

describe('buildFingerprint: from a report, each section only from a layer that answered', () => {
  it('a healthy check: build, auth, the advertised sets (hash + lists), channels', () => {
    const fingerprint = fp(report());
    expect(fingerprint).toMatchObject({
      gateway: 'prod',
      state: 'healthy',
      build: { version: '2026.9.6', buildId: '2026.9.6-release-eb377ac59e6c', protocol: 4, runtimeVersion: '2026.9.6' },
      auth: { method: 'device-token', role: 'operator', scopes: ['operator.read'] },
      methods: { count: METHODS_2026_9_6.length, names: [...METHODS_2026_9_6].sort() },
      events: { count: 4 },
      channels: { 'telegram/default': 'running · connected · linked' },
    });
    expect(fingerprint.methods!.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint.host).toBeUndefined();
  });

  it('the order of the advertised names does not matter; a different set does', () => {
    expect(fp(report({ methods: [...METHODS_2026_9_6].reverse() })).hash).toBe(fp(report()).hash);
    expect(fp(report({ methods: METHODS_2026_9_2 })).hash).not.toBe(fp(report()).hash);
    // When it ran is not part of what it is.
    expect(fp(report({ at: '2026-11-25T00:00:00.000Z' })).hash).toBe(fp(report()).hash);
  });

  it('a check that failed at TCP has no build, auth or sets: nothing to compare there', () => {
    const failed = notReachedAfter(
      withLayer(report(), {
        layer: 'tcp',
        status: 'failed',
        startMs: 0,
        durationMs: 3,
        summary: 'refused',
        evidence: { address: '100.101.102.103', port: 18789, error: 'refused' },
      }),
      'tcp',
    );
    const fingerprint = fp(failed);
    expect(fingerprint.state).toBe('unhealthy');
    expect(fingerprint.build).toBeUndefined();
    expect(fingerprint.methods).toBeUndefined();
    expect(fingerprint.channels).toBeUndefined();
  });

  it('the host agent answered: listener matrix, unit, Serve route; never a token, only its fingerprint', () => {
    const r = report();
    r.host = {
      agent: { status: 'answered', deadlineMs: 4000, hostname: 'gw-prod' },
      listeners: { available: true, port: 18789, bind: 'loopback', listening: true, bound: ['127.0.0.1:18789', '[::1]:18789'], allowed: [], violations: [] },
      unit: {
        unitName: 'openclaw-gateway.service',
        available: true,
        unitFound: true,
        activeState: 'active',
        fragmentPath: '/etc/systemd/system/openclaw-gateway.service',
        dropInPaths: [],
        unitTokenFingerprint: '0123456789ab',
        tokenDrift: false,
        portDrift: false,
        findings: [],
      },
      serve: {
        available: true,
        gatewayPort: 18789,
        routes: [{ hostPort: 'gw-prod.example-tailnet.ts.net:443', mount: '/', target: 'http://127.0.0.1:18789', toGateway: true, funnel: false }],
      },
    };
    expect(fp(r).host).toEqual({
      listeners: { port: 18789, bind: 'loopback', bound: ['127.0.0.1:18789', '[::1]:18789'] },
      unit: {
        name: 'openclaw-gateway.service',
        activeState: 'active',
        fragmentPath: '/etc/systemd/system/openclaw-gateway.service',
        dropIns: [],
        tokenFingerprint: '0123456789ab',
      },
      serve: ['gw-prod.example-tailnet.ts.net:443/ → http://127.0.0.1:18789'],
    });
    // A silent agent adds nothing.
    r.host = { agent: { status: 'silent', deadlineMs: 4000 } };
    expect(fp(r).host).toBeUndefined();
  });

  it('advertised names are bounded before they reach the report', () => {
    const many = Array.from({ length: MAX_FEATURE_NAMES + 50 }, (_, index) => `m${index}`);
    const bounded = boundedFeatures([...many, 'x'.repeat(500)], ['tick', 'tick']);
    expect(bounded.methods).toHaveLength(MAX_FEATURE_NAMES);
    expect(bounded.events).toEqual(['tick']);
    expect(bounded.truncated).toBe(true);
  });
});

describe('diffFingerprints: what changed since the last good one', () => {
  const cases: Array<{ name: string; from: ProbeReport; to: ProbeReport; expected: unknown[] }> = [
    { name: 'nothing', from: report(), to: report({ at: '2026-11-25T00:00:00.000Z' }), expected: [] },
    {
      name: 'an upgrade: version, methods',
      from: report({ version: '2026.9.2', methods: METHODS_2026_9_2 }),
      to: report(),
      expected: [
        { kind: 'value', field: 'version', from: '2026.9.2', to: '2026.9.6' },
        {
          kind: 'set',
          field: 'methods',
          added: ['doctor.memory.status', 'sessions.files.get', 'sessions.files.list', 'tasks.list'],
          removed: ['sessions.reset'],
        },
      ],
    },
    {
      name: 'a rebuild of the same version',
      from: report({ buildId: '2026.9.6-a' }),
      to: report({ buildId: '2026.9.6-b' }),
      expected: [{ kind: 'value', field: 'build', from: '2026.9.6-a', to: '2026.9.6-b' }],
    },
    {
      name: 'scopes cleared',
      from: report(),
      to: report({ scopes: [] }),
      expected: [{ kind: 'set', field: 'scopes', from: ['operator.read'], to: [], removed: ['operator.read'] }],
    },
    {
      name: 'an event gone',
      from: report(),
      to: report({ events: ['connect.challenge', 'tick', 'health'] }),
      expected: [{ kind: 'set', field: 'events', removed: ['shutdown'], added: [] }],
    },
    {
      name: 'a channel account stopped, another added',
      from: report(),
      to: report({
        channels: {
          method: 'channels.status',
          channels: [
            { channel: 'telegram', account: 'default', configured: true, running: false, connected: false, linked: true, issues: [] },
            { channel: 'discord', account: 'ops', configured: true, running: true, connected: true, issues: [] },
          ],
        },
      }),
      expected: [
        {
          kind: 'map',
          field: 'channels',
          changed: [{ key: 'telegram/default', from: 'running · connected · linked', to: 'stopped · disconnected · linked' }],
          added: ['discord/ops'],
          removed: [],
        },
      ],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const changes = diffFingerprints(fp(testCase.from), fp(testCase.to));
      expect(changes).toHaveLength(testCase.expected.length);
      testCase.expected.forEach((expected, index) => expect(changes[index]).toMatchObject(expected as object));
    });
  }

  it('a failure before the handshake compares only what it knows: no "methods −6"', () => {
    const failed = notReachedAfter(
      withLayer(report(), {
        layer: 'tcp',
        status: 'failed',
        startMs: 0,
        durationMs: 3,
        summary: 'refused',
        evidence: { address: '100.101.102.103', port: 18789, error: 'refused' },
      }),
      'tcp',
    );
    expect(diffFingerprints(fp(report({ version: '2026.9.2' })), fp(failed))).toEqual([]);
  });
});

describe('sinceLastGood: when the verdict shows the diff', () => {
  const lastGood = good(fp(report({ version: '2026.9.2', methods: METHODS_2026_9_2, at: '2026-11-24T09:12:00.000Z' })));
  it('a failure after an upgrade: the changes, with the time of the last good check', () => {
    const failing = report({ at: '2026-11-24T10:00:00.000Z', scopes: [] });
    const shown = sinceLastGood(buildFingerprint(failing, { state: 'unhealthy' }), lastGood);
    expect(shown?.at).toBe(Date.parse('2026-11-24T09:12:00.000Z'));
    expect(sinceLastGoodTerminal(shown!)).toBe(
      'since last good (2026-11-24 09:12 UTC): version 2026.9.2 → 2026.9.6 · methods +4 −1 (sessions.reset gone; doctor.memory.status, sessions.files.get, sessions.files.list, +1 more new) · scopes [operator.read] → []',
    );
    expect(sinceLastGoodSlack(shown!).mrkdwn).toBe(
      '🧬 since last good (<!date^' +
        String(Date.parse('2026-11-24T09:12:00.000Z') / 1000) +
        '^{date_short_pretty} {time}|2026-11-24 09:12 UTC>): version `2026.9.2` → `2026.9.6` · methods +4 −1 (`sessions.reset` gone; `doctor.memory.status`, `sessions.files.get`, `sessions.files.list`, +1 more new) · scopes [`operator.read`] → []',
    );
    expect(sinceLastGoodMarkdown(shown!)).toContain('(`sessions.reset` gone;');
  });
  it('a failure with nothing changed says so (not an upgrade)', () => {
    const same = good(fp(report()));
    const shown = sinceLastGood(buildFingerprint(report({ at: '2026-11-24T10:00:00.000Z' }), { state: 'unhealthy' }), same);
    expect(shown?.changes).toEqual([]);
    expect(sinceLastGoodTerminal(shown!)).toMatch(/^nothing changed since last good/);
  });
  it('a healthy check: only when the fingerprint changed', () => {
    expect(sinceLastGood(fp(report({ at: '2026-11-24T10:00:00.000Z' })), good(fp(report())))).toBeUndefined();
    expect(sinceLastGood(fp(report({ at: '2026-11-24T10:00:00.000Z' })), lastGood)?.changes.length).toBe(2);
  });
  it('no last good, or one of another URL: nothing', () => {
    expect(sinceLastGood(fp(report()), undefined)).toBeUndefined();
    const other = good({ ...fp(report()), url: 'ws://elsewhere:18789' });
    expect(sinceLastGood(buildFingerprint(report(), { state: 'unhealthy' }), other)).toBeUndefined();
  });
  it('outside names are escaped and cannot break the code span in Slack', () => {
    const hostile = report({ methods: [...METHODS_2026_9_2.filter((name) => name !== 'sessions.reset'), '<!channel> `x`'] });
    const shown = sinceLastGood(buildFingerprint(hostile, { state: 'unhealthy' }), good(fp(report({ methods: METHODS_2026_9_2 }))));
    const text = sinceLastGoodSlack(shown!).mrkdwn;
    expect(text).not.toContain('<!channel>');
    expect(text).toContain("`&lt;!channel&gt; 'x'`");
  });
});

describe('the fingerprint hash', () => {
  // Canonical JSON as specified (keys sorted at every level, undefined left out), written out here.
  const reference = (value: unknown): string =>
    Array.isArray(value)
      ? `[${value.map(reference).join(',')}]`
      : value && typeof value === 'object'
        ? `{${Object.entries(value)
            .filter(([, item]) => item !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([key, item]) => `${JSON.stringify(key)}:${reference(item)}`)
            .join(',')}}`
        : JSON.stringify(value);
  it('is SHA-256 over the canonical JSON of the identifying sections, names lists included', async () => {
    const { createHash } = await import('node:crypto');
    const current = fp(report({ methods: [...METHODS_2026_9_6, 'a "quoted" \\ name', 'ünïcode'] }));
    const { build, auth, methods, events, channels, host } = current;
    const expected = createHash('sha256').update(reference({ build, auth, methods, events, channels, host })).digest('hex').slice(0, 16);
    expect(current.hash).toBe(expected);
    expect(fingerprintHash(current)).toBe(expected);
  });
});

describe('the good list: one entry per distinct fingerprint', () => {
  const first = fp(report({ version: '2026.9.2', methods: METHODS_2026_9_2, at: '2026-11-24T09:00:00.000Z' }));
  const again = fp(report({ version: '2026.9.2', methods: METHODS_2026_9_2, at: '2026-11-24T09:30:00.000Z' }));
  const upgraded = fp(report({ at: '2026-11-24T10:00:00.000Z' }));
  it('the same fingerprint refreshes the head; a new one becomes the head', () => {
    let list = applyGood([], nextGood([], first));
    list = applyGood(list, nextGood(list, again));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ firstSeenAt: first.at, lastSeenAt: again.at });
    list = applyGood(list, nextGood(list, upgraded));
    expect(list.map((entry) => entry.fingerprint.build?.version)).toEqual(['2026.9.6', '2026.9.2']);
    // "Before this check": the upgraded check itself is not its own last good.
    expect(lastGoodBefore(list, upgraded.at)?.fingerprint.build?.version).toBe('2026.9.2');
    expect(lastGoodBefore(list, upgraded.at + 1)?.fingerprint.build?.version).toBe('2026.9.6');
  });
  it('a silent host agent does not make a new build: the sections only the head had are kept', () => {
    const withHost = { ...first, host: { installedVersion: '2026.9.2' } };
    const merged = mergeIfSame(withHost, again);
    expect(merged?.host).toEqual({ installedVersion: '2026.9.2' });
    expect(merged?.hash).toBe(fingerprintHash(merged!));
    expect(merged?.hash).not.toBe(again.hash);
    expect(mergeIfSame(withHost, upgraded)).toBeUndefined();
  });
  it("a build field only the head had is kept, and the hash is the merged fingerprint's", () => {
    const withHealth = { ...first, build: { ...first.build, healthVersion: '2026.9.2-h' } };
    const merged = mergeIfSame(withHealth, again)!;
    expect(merged.build?.healthVersion).toBe('2026.9.2-h');
    expect(merged.hash).toBe(fingerprintHash(merged));
  });
  it('the same sections again: the newer fingerprint as it is, with its own hash', () => {
    const merged = mergeIfSame(first, again)!;
    expect(merged).toEqual(again);
    expect(merged.hash).toBe(fingerprintHash(again));
  });
  it('a late, older result changes nothing', () => {
    const list = applyGood([], nextGood([], upgraded));
    expect(nextGood(list, first).action).toBe('none');
  });
  it("refreshing from the head's known fields gives what nextGood gives, and nothing where it would decide otherwise", () => {
    const list = applyGood([], nextGood([], first));
    const head = list[0]!;
    const known = { hash: head.fingerprint.hash, url: head.fingerprint.url, firstSeenAt: head.firstSeenAt, lastSeenAt: head.lastSeenAt };
    expect(refreshOfKnownHead(known, again)).toEqual(nextGood(list, again));
    expect(refreshOfKnownHead(known, upgraded)).toBeUndefined();
    expect(refreshOfKnownHead({ ...known, url: 'wss://other.example.ts.net' }, again)).toBeUndefined();
    // Later than the head's first sighting only: an older result is nextGood's to decide ('none').
    expect(refreshOfKnownHead({ ...known, firstSeenAt: again.at + 1 }, again)).toBeUndefined();
  });
});

describe('the fingerprint view (`/gateway fingerprint`, `clawops fingerprint`)', () => {
  const old = good(fp(report({ version: '2026.9.2', methods: METHODS_2026_9_2, at: '2026-11-24T09:00:00.000Z' })), Date.parse('2026-11-24T09:30:00.000Z'));
  it('a failing current check: the current, the last good and the diff', () => {
    const failing = buildFingerprint(report({ at: '2026-11-24T10:00:00.000Z' }), { state: 'unhealthy' });
    const view = fingerprintView('prod', failing, [old]);
    expect(view.changes.map((change) => change.field)).toEqual(['version', 'methods']);
    const slack = renderFingerprintSlack(view);
    expect(blockKitProblems(slack.blocks)).toEqual([]);
    expect(JSON.stringify(slack.blocks)).toContain('What changed since last good');
    expect(renderFingerprintTerminal(view)).toContain('version 2026.9.2 → 2026.9.6');
    expect(renderFingerprintMarkdown(view)).toContain('- version `2026.9.2` → `2026.9.6`');
  });
  it('the current one is the last good: the change that led to it', () => {
    const current = fp(report({ at: '2026-11-24T10:00:00.000Z' }));
    const list = applyGood([old], nextGood([old], current));
    const view = fingerprintView('prod', current, list);
    expect(view.changes).toEqual([]);
    expect(view.previous?.changes.map((change) => change.field)).toEqual(['version', 'methods']);
    expect(renderFingerprintTerminal(view)).toContain('the same as the current one');
  });
  it('nothing recorded yet says how to get one', () => {
    expect(renderFingerprintTerminal(fingerprintView('prod', undefined, []))).toContain('none yet');
    expect(renderFingerprintSlack(fingerprintView('prod', undefined, [])).text).toContain('No fingerprint');
  });
});

describe('/gateway fingerprint|ticket <name>: parsing', () => {
  it('one known name; a typo gets a suggestion; none or two get the usage', async () => {
    const { parseGatewayCommand } = await import('../../commands/parse.js');
    expect(parseGatewayCommand('fingerprint prod', ['prod', 'staging'])).toEqual({ ok: true, command: { kind: 'fingerprint', gateway: 'prod' } });
    expect(parseGatewayCommand('ticket Staging', ['prod', 'staging'])).toEqual({ ok: true, command: { kind: 'ticket', gateway: 'staging' } });
    const typo = parseGatewayCommand('ticket prdo', ['prod', 'staging']);
    expect(typo.ok).toBe(false);
    expect(!typo.ok && typo.message).toContain('Did you mean `prod`?');
    const none = parseGatewayCommand('fingerprint', ['prod']);
    expect(!none.ok && none.message).toContain('takes one gateway name');
    expect(!none.ok && none.message).toContain('/gateway ticket <name>');
  });
});

describe('namedSet: one canonical set whatever the order it arrives in', () => {
  it('sorted input (the handshake’s, taken as it is) and any other order give the same set and hash', () => {
    const sorted = Array.from({ length: 300 }, (_, index) => `method.${String(index).padStart(3, '0')}`);
    const reversed = [...sorted].reverse();
    const withDuplicates = [...sorted, ...sorted.slice(0, 10)];
    const longName = ['a', 'b'.repeat(500), 'c'];
    expect(namedSet(reversed)).toEqual(namedSet(sorted));
    expect(namedSet(withDuplicates)).toEqual(namedSet(sorted));
    expect(namedSet(sorted).names).toEqual(sorted);
    // Sorted but with a name beyond the bound: clipped as before, never taken as it is.
    expect(namedSet(longName).names[1]).toHaveLength(200);
    // A copy: the set does not alias the report's array.
    expect(namedSet(sorted).names).not.toBe(sorted);
  });
});
