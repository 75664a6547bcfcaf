import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { loopbackState } from '../../src/diagnosis/host-rules.js';
import { SYMPTOM_TABLE } from '../../src/diagnosis/symptom-table.js';
import type { Diagnosis } from '../../src/diagnosis/verdict.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { loopbackEvidence } from '../../src/host/loopback-check.js';
import { ProbeReportSchema, type HostEvidenceData, type LayerResult, type ProbeReport } from '../../src/report/report.js';
import { GATEWAY_ADDRESS, GATEWAY_PORT, GATEWAY_VERSION, healthyReport, notReachedAfter, settle, withLayer, withTailnet } from '../support/reports.js';

/**
 * The joint diagnosis: the view from outside (the ladder) read together with the host agent's view
 * (loopback, listen matrix, unit, versions). Literal reports in, verdicts out.
 */

const LOOPBACK = `127.0.0.1:${GATEWAY_PORT}`;

// ---- the view from outside ------------------------------------------------------------------

function outsideTcp(kind: 'timeout' | 'refused'): ProbeReport {
  const errno = kind === 'refused' ? { errno: 'ECONNREFUSED' } : {};
  const summary = `${GATEWAY_ADDRESS}:${GATEWAY_PORT} ${kind === 'refused' ? 'refused' : 'timeout after 3000 ms'}`;
  return settle(
    notReachedAfter(
      withLayer(
        healthyReport(),
        {
          layer: 'tcp',
          status: 'failed',
          startMs: 0.2,
          durationMs: 3000,
          summary,
          evidence: { address: GATEWAY_ADDRESS, port: GATEWAY_PORT, error: kind, ...errno },
        },
        {
          layer: 'http',
          status: 'failed',
          startMs: 0.2,
          durationMs: 3000,
          summary: `/healthz ${kind}`,
          evidence: { healthz: { path: '/healthz', error: kind, ...errno }, failing: [] },
        },
        {
          layer: 'upgrade',
          status: 'failed',
          startMs: 0.2,
          durationMs: 4000,
          summary: kind,
          evidence: { url: `ws://${GATEWAY_ADDRESS}:${GATEWAY_PORT}`, error: kind, ...errno },
        },
      ),
      'upgrade',
    ),
  );
}

/** tailscale ping works, TCP times out: the runbook's `tailnet-port-blocked`. */
function outsidePortBlocked(): ProbeReport {
  return withLayer(withTailnet(outsideTcp('timeout')), {
    layer: 'path',
    status: 'ok',
    startMs: 0.2,
    durationMs: 9,
    summary: 'direct · TSMP 4 ms',
    evidence: { ip: GATEWAY_ADDRESS, tsmp: { ok: true, latencyMs: 4 }, disco: { ok: true, latencyMs: 5 }, direct: true, relayThresholdMs: 100 },
  });
}

function outsideAuthRejected(): ProbeReport {
  return notReachedAfter(
    withLayer(healthyReport(), {
      layer: 'handshake',
      status: 'failed',
      startMs: 6.4,
      durationMs: 20,
      summary: 'INVALID_REQUEST/AUTH_TOKEN_MISMATCH',
      evidence: {
        challenge: true,
        scopes: [],
        requestedScopes: ['operator.read'],
        failure: 'rejected',
        error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', detailsCode: 'AUTH_TOKEN_MISMATCH' },
        close: { code: 1008, reason: 'unauthorized: gateway token mismatch' },
      },
    }),
    'handshake',
  );
}

/** Token-only from outside: status and channels not readable. */
function outsideScopeLimited(): ProbeReport {
  return withLayer(
    healthyReport(),
    {
      layer: 'status',
      status: 'warn',
      startMs: 45,
      durationMs: 3,
      summary: 'status: FORBIDDEN missing scope: operator.read',
      evidence: { method: 'status', error: { code: 'FORBIDDEN', message: 'missing scope: operator.read', missingScope: 'operator.read' } },
    },
    { layer: 'channels', status: 'warn', startMs: 45, durationMs: 0, summary: 'not readable', evidence: { method: 'channels.status', channels: [] } },
  );
}

// ---- the view from the host -----------------------------------------------------------------

function loopbackOf(report: ProbeReport): NonNullable<HostEvidenceData['loopback']> {
  const atHome = structuredClone(report);
  atHome.gateway.url = `ws://${LOOPBACK}`;
  return loopbackEvidence(atHome);
}
const loopbackHealthy = () => loopbackOf(healthyReport());
const loopbackRefused = () => loopbackOf(outsideTcp('refused'));
const loopbackAuthRejected = () => loopbackOf(outsideAuthRejected());

function host(overrides: Partial<HostEvidenceData> = {}): HostEvidenceData {
  return {
    agent: { status: 'answered', deadlineMs: 3_000, durationMs: 180, hostname: 'gw-prod', version: '0.1.0' },
    listeners: {
      available: true,
      port: GATEWAY_PORT,
      bind: 'loopback',
      listening: true,
      bound: ['127.0.0.1', '::1'],
      allowed: ['127.0.0.1', '::1'],
      violations: [],
    },
    loopback: loopbackHealthy(),
    unit: {
      unitName: 'openclaw-gateway',
      available: true,
      unitFound: true,
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      dropInPaths: [],
      tokenSource: 'EnvironmentFile:/etc/openclaw/gateway.env',
      unitTokenFingerprint: tokenFingerprint('configured'),
      configuredTokenFingerprint: tokenFingerprint('configured'),
      tokenDrift: false,
      portDrift: false,
      envComplete: true,
      findings: [],
    },
    version: {
      status: 'match',
      running: GATEWAY_VERSION,
      installed: GATEWAY_VERSION,
      others: [],
      summary: `running ${GATEWAY_VERSION} is the installed version`,
    },
    clientTokenFingerprint: tokenFingerprint('configured'),
    ...overrides,
  };
}

const joined = (report: ProbeReport, evidence: HostEvidenceData): ProbeReport => ProbeReportSchema.parse({ ...report, host: evidence });
const ids = (diagnosis: Diagnosis) => diagnosis.verdicts.map((verdict) => verdict.id);
const text = (diagnosis: Diagnosis) => JSON.stringify(diagnosis.verdicts);

describe('joint diagnosis: loopback healthy, outside failing → the path, not the Gateway', () => {
  it('outside TCP timeout → network-path', () => {
    const diagnosis = diagnose(joined(outsideTcp('timeout'), host()));
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.failedLayer).toBe('tcp');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'network-path', layer: 'tcp', severity: 'error' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toBe(
      `on its host the Gateway answers: ${LOOPBACK} hello-ok ${GATEWAY_VERSION} · health ok · event loop p99 8.5 ms (host agent)`,
    );
    expect(diagnosis.verdicts[0]!.evidence).toContain(`from outside: TCP ${GATEWAY_ADDRESS}:${GATEWAY_PORT} timeout after 3000 ms`);
    expect(diagnosis.verdicts[0]!.notes).toEqual([
      'from outside alone this read as `timeout`',
      'packets to the port are dropped on the way: the ACL or the host firewall',
    ]);
    expect(diagnosis.verdicts[0]!.do).toContain(`tag:ops → tag:gateway:${GATEWAY_PORT}`);
    expect(diagnosis.headline).toMatch(/^prod UNHEALTHY: network-path — on its host the Gateway answers/);
    // Without the agent the same report says only "timeout".
    expect(ids(diagnose(outsideTcp('timeout')))).toEqual(['timeout']);
  });

  it("the runbook's tailnet-port-blocked, proven from both sides → network-path", () => {
    const diagnosis = diagnose(joined(outsidePortBlocked(), host()));
    expect(diagnosis.verdicts[0]?.id).toBe('network-path');
    expect(diagnosis.verdicts[0]!.notes[0]).toBe('from outside alone this read as `tailnet-port-blocked`');
  });

  it('refused from outside while the Gateway listens on loopback only → network-path, Serve or a tailnet bind missing', () => {
    const diagnosis = diagnose(joined(outsideTcp('refused'), host()));
    expect(diagnosis.verdicts[0]?.id).toBe('network-path');
    expect(diagnosis.verdicts[0]!.notes).toContain(
      'the Gateway listens on loopback only (127.0.0.1, ::1): from the tailnet it needs Tailscale Serve or `gateway.bind: tailnet`',
    );
  });

  it("a Gateway that refuses only the agent's credentials on loopback is alive: still the path", () => {
    const loopback = loopbackAuthRejected();
    expect(loopbackState(loopback)).toBe('alive');
    const diagnosis = diagnose(joined(outsideTcp('timeout'), host({ loopback })));
    expect(diagnosis.verdicts[0]?.id).toBe('network-path');
    expect(diagnosis.verdicts[0]!.evidence[0]).toContain("it refused the agent's own credentials");
  });

  it('an outside verdict that names its cause stays, with the host view as a note', () => {
    const diagnosis = diagnose(joined(outsideAuthRejected(), host()));
    expect(diagnosis.verdicts[0]?.id).toBe('auth-rejected');
    expect(diagnosis.verdicts[0]!.notes).toContain(
      `on its host the Gateway answers: ${LOOPBACK} hello-ok ${GATEWAY_VERSION} · health ok · event loop p99 8.5 ms (host agent)`,
    );
  });
});

describe('joint diagnosis: loopback failing → the Gateway itself', () => {
  const down = host({
    listeners: { available: true, port: GATEWAY_PORT, bind: 'loopback', listening: false, bound: [], allowed: [], violations: [] },
    loopback: loopbackRefused(),
    unit: {
      ...host().unit!,
      activeState: 'failed',
      subState: 'failed',
      findings: [
        { id: 'unit-not-active', severity: 'warning', summary: 'openclaw-gateway is failed (failed)' },
        {
          id: 'unit-env-file-missing',
          severity: 'critical',
          summary:
            'EnvironmentFile /etc/openclaw/gateway.env of openclaw-gateway is missing: systemd refuses to start the unit until it exists (or is marked optional with "-")',
        },
      ],
    },
  });

  it('outside timeout + loopback refused → gateway-down, with the listen matrix and the unit', () => {
    expect(loopbackState(down.loopback!)).toBe('failing');
    const diagnosis = diagnose(joined(outsideTcp('timeout'), down));
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-down', layer: 'host' });
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      `on its host too: ${LOOPBACK} tcp: ${GATEWAY_ADDRESS}:${GATEWAY_PORT} refused (host agent)`,
      `nothing listens on port ${GATEWAY_PORT} on the host`,
      'openclaw-gateway is failed (failed)',
      `from outside: TCP ${GATEWAY_ADDRESS}:${GATEWAY_PORT} timeout after 3000 ms`,
    ]);
    expect(diagnosis.verdicts[0]!.notes).toEqual([
      'from outside alone this read as `timeout`',
      'EnvironmentFile /etc/openclaw/gateway.env of openclaw-gateway is missing: systemd refuses to start the unit until it exists (or is marked optional with "-")',
    ]);
    expect(diagnosis.verdicts[0]!.do).toContain('systemctl status <unit>');
  });

  it('outside refused + loopback refused → gateway-down (from outside alone it could have been the bind)', () => {
    expect(diagnose(joined(outsideTcp('refused'), down)).verdicts[0]?.id).toBe('gateway-down');
  });

  it('doctor errors explain a failing Gateway', () => {
    const withDoctor = {
      ...down,
      doctor: { ran: true, findings: [{ id: 'core/doctor/gateway-config', severity: 'error' as const, message: 'gateway.mode is unset' }], notes: [] },
    };
    expect(diagnose(joined(outsideTcp('timeout'), withDoctor)).verdicts[0]!.notes).toContain('openclaw doctor: gateway.mode is unset');
  });

  it('an outside verdict that names its cause stays, and says it is the Gateway', () => {
    const diagnosis = diagnose(joined(outsideAuthRejected(), down));
    expect(diagnosis.verdicts[0]?.id).toBe('auth-rejected');
    expect(diagnosis.verdicts[0]!.notes.at(-1)).toMatch(/^on its host too: .* it is the Gateway itself, not the network$/);
  });
});

describe('joint diagnosis: the agent silent → said so, verdict from outside alone', () => {
  const silent: HostEvidenceData = {
    agent: { status: 'silent', deadlineMs: 3_000, durationMs: 3_001 },
    clientTokenFingerprint: tokenFingerprint('configured'),
  };

  it('outside timeout stays `timeout`, with a note and an agent-silent verdict', () => {
    const diagnosis = diagnose(joined(outsideTcp('timeout'), silent));
    expect(ids(diagnosis)).toEqual(['timeout', 'agent-silent']);
    expect(diagnosis.verdicts[0]!.notes).toContain('the host agent did not answer within 3000 ms: this verdict is from outside alone');
    expect(diagnosis.verdicts[1]).toMatchObject({ severity: 'info', layer: 'host', evidence: ['the host agent did not answer within 3000 ms'] });
  });

  it('a healthy gateway stays healthy; the silence is information', () => {
    const diagnosis = diagnose(joined(healthyReport(), silent));
    expect(diagnosis.state).toBe('healthy');
    expect(ids(diagnosis)).toEqual(['agent-silent']);
  });

  it('an agent that refused the job says why', () => {
    const failed: HostEvidenceData = { agent: { status: 'failed', deadlineMs: 3_000, detail: 'the agent did not run the checks: refused: expired' } };
    expect(diagnose(joined(healthyReport(), failed)).verdicts[0]!.evidence[0]).toBe(
      'the host agent did not run the checks (the agent did not run the checks: refused: expired)',
    );
  });
});

describe('host findings beside any verdict', () => {
  it('a wildcard bind is critical bind-not-loopback', () => {
    const evidence = host({
      listeners: {
        available: true,
        port: GATEWAY_PORT,
        bind: 'loopback',
        listening: true,
        bound: ['0.0.0.0'],
        allowed: [],
        violations: [
          {
            address: '0.0.0.0',
            kind: 'wildcard',
            severity: 'critical',
            why: `0.0.0.0:${GATEWAY_PORT} listens on every IPv4 interface (bind lan/auto); expected bind loopback`,
          },
        ],
      },
    });
    const diagnosis = diagnose(joined(healthyReport(), evidence));
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'bind-not-loopback', severity: 'critical', layer: 'host' });
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      `0.0.0.0:${GATEWAY_PORT} listens on every IPv4 interface (bind lan/auto); expected bind loopback`,
      'bound on the host: 0.0.0.0 (bind loopback)',
    ]);
  });

  it('another loopback address is a warning', () => {
    const evidence = host({
      listeners: {
        available: true,
        port: GATEWAY_PORT,
        bind: 'loopback',
        listening: true,
        bound: ['127.0.0.1', '127.0.0.2'],
        allowed: ['127.0.0.1'],
        violations: [
          {
            address: '127.0.0.2',
            kind: 'other-loopback',
            severity: 'warning',
            why: `127.0.0.2:${GATEWAY_PORT} is loopback but not the Gateway's 127.0.0.1/[::1]`,
          },
        ],
      },
    });
    const diagnosis = diagnose(joined(healthyReport(), evidence));
    expect(diagnosis.state).toBe('degraded');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'bind-not-loopback', severity: 'warning' });
  });

  it('a drifted unit token, by fingerprint, with the pending reload as a note', () => {
    const unit = {
      ...host().unit!,
      unitTokenFingerprint: tokenFingerprint('stale'),
      tokenDrift: true,
      findings: [
        { id: 'unit-needs-daemon-reload', severity: 'warning' as const, summary: 'openclaw-gateway changed on disk since the last daemon-reload' },
        {
          id: 'unit-token-drift',
          symptom: 'unit-token-drift',
          severity: 'critical' as const,
          summary: `openclaw-gateway gives the Gateway token ${tokenFingerprint('stale')} (Environment) but clawops is configured with ${tokenFingerprint('configured')} (fingerprints)`,
        },
      ],
    };
    const diagnosis = diagnose(joined(outsideAuthRejected(), host({ unit })));
    expect(ids(diagnosis)).toEqual(['auth-rejected', 'unit-token-drift']);
    expect(diagnosis.verdicts[1]).toMatchObject({ layer: 'host', evidence: [unit.findings[1]!.summary], notes: [unit.findings[0]!.summary] });
  });

  it("the unit's token against the one this node sends, when the agent's own copy is the same as the unit's", () => {
    const unit = { ...host().unit!, unitTokenFingerprint: tokenFingerprint('stale'), configuredTokenFingerprint: tokenFingerprint('stale') };
    const diagnosis = diagnose(joined(outsideAuthRejected(), host({ unit })));
    expect(diagnosis.verdicts[1]).toMatchObject({ id: 'unit-token-drift' });
    expect(diagnosis.verdicts[1]!.evidence).toEqual([
      `openclaw-gateway gives the Gateway token ${tokenFingerprint('stale')} (EnvironmentFile:/etc/openclaw/gateway.env) but this clawops node sends ${tokenFingerprint('configured')} from OPENCLAW_GATEWAY_TOKEN (fingerprints)`,
    ]);
  });

  it('no drift when the unit holds what this node sends, even if the agent has an old copy', () => {
    const unit = {
      ...host().unit!,
      configuredTokenFingerprint: tokenFingerprint('old-agent-copy'),
      tokenDrift: true,
      findings: [{ id: 'unit-token-drift', symptom: 'unit-token-drift', severity: 'critical' as const, summary: 'drift against the agent copy' }],
    };
    expect(ids(diagnose(joined(healthyReport(), host({ unit }))))).toEqual([]);
  });

  it("the unit's port against the port in use", () => {
    const unit = {
      ...host().unit!,
      unitPort: 18790,
      portDrift: true,
      unitPortListening: true,
      findings: [
        {
          id: 'unit-port-drift',
          symptom: 'unit-token-drift',
          severity: 'critical' as const,
          summary: `openclaw-gateway sets port 18790 (Environment) but clawops expects ${GATEWAY_PORT}`,
        },
      ],
    };
    const diagnosis = diagnose(
      joined(outsideTcp('refused'), host({ unit, loopback: loopbackRefused(), listeners: { ...host().listeners!, listening: false, bound: [], allowed: [] } })),
    );
    expect(ids(diagnosis)).toEqual(['gateway-down', 'unit-token-drift']);
    expect(diagnosis.verdicts[1]!.evidence).toEqual([
      `openclaw-gateway sets port 18790 (Environment) but clawops expects ${GATEWAY_PORT}`,
      "something listens on the unit's port 18790: the Gateway runs where the unit says, not where clawops looks",
    ]);
  });

  it('running vs installed version → stale process after upgrade', () => {
    const version = {
      status: 'stale-process' as const,
      running: '2026.9.5',
      installed: GATEWAY_VERSION,
      packageJsonPath: '/usr/lib/node_modules/openclaw/package.json',
      others: [],
      summary: `the Gateway runs 2026.9.5 but ${GATEWAY_VERSION} is installed: the process predates the last upgrade or downgrade; restart it`,
    };
    const diagnosis = diagnose(joined(healthyReport(), host({ version })));
    expect(diagnosis.state).toBe('degraded');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'stale-process', title: 'Stale process after upgrade', refines: 'ws-closed-early' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toContain('predates the last upgrade');
  });

  it('channels readable only on loopback → channel-silent from the host', () => {
    const atHome = loopbackOf(
      withLayer(healthyReport(), {
        layer: 'channels',
        status: 'warn',
        startMs: 45,
        durationMs: 200,
        summary: 'whatsapp: dmPolicy allowlist with an empty allowFrom: every DM is dropped',
        evidence: {
          method: 'channels.status',
          channels: [
            {
              channel: 'whatsapp',
              account: 'default',
              configured: true,
              running: true,
              dmPolicy: 'allowlist',
              allowFromCount: 0,
              issues: ['dmPolicy allowlist with an empty allowFrom: every DM is dropped'],
            },
          ],
        },
      } as LayerResult),
    );
    const diagnosis = diagnose(joined(outsideScopeLimited(), host({ loopback: atHome })));
    expect(ids(diagnosis)).toEqual(['scope-limited', 'channel-silent']);
    expect(diagnosis.verdicts.find((verdict) => verdict.id === 'channel-silent')).toMatchObject({
      layer: 'host',
      evidence: ['(on the host) whatsapp/default: dmPolicy allowlist with an empty allowFrom: every DM is dropped'],
    });
  });

  it('the running version comes from loopback when the outside never reached hello-ok', () => {
    expect(diagnose(joined(outsideTcp('timeout'), host())).version.running).toBe(GATEWAY_VERSION);
  });

  it('while this node is off the tailnet, the joint view does not override the suppression', () => {
    const offline = withLayer(outsideTcp('timeout'), {
      layer: 'bot-node',
      status: 'failed',
      startMs: 0,
      durationMs: 1,
      summary: 'Stopped',
      evidence: { backendState: 'Stopped', healthWarnings: [] },
    });
    const diagnosis = diagnose(joined(offline, host()));
    expect(diagnosis.suppressed).toBe(true);
    expect(diagnosis.verdicts[0]?.id).toBe('bot-node-offline');
  });

  it('every verdict text has its placeholders filled and no token', () => {
    for (const evidence of [host(), host({ loopback: loopbackRefused() })]) {
      for (const report of [outsideTcp('timeout'), outsideTcp('refused'), outsideAuthRejected(), healthyReport()]) {
        const diagnosis = diagnose(joined(report, evidence));
        expect(text(diagnosis)).not.toMatch(/\{(port|host|tokenEnv|deviceId)\}/);
        expect(text(diagnosis)).not.toContain('configured"');
      }
    }
  });
});

describe('the host rows and the host evidence schema', () => {
  it.each(['network-path', 'gateway-down', 'stale-process', 'agent-silent'] as const)('%s is in the table in the runbook columns', (id) => {
    const row = SYMPTOM_TABLE[id];
    expect(row.see.length).toBeGreaterThan(10);
    expect(row.suspect.length).toBeGreaterThan(10);
    expect(row.do.length).toBeGreaterThan(10);
  });

  it('the network path row says it is not the Gateway; gateway-down says it is not the network', () => {
    expect(SYMPTOM_TABLE['network-path'].suspect).toMatch(/^the network path, not the Gateway: the tailnet ACL, the host firewall, Tailscale Serve/);
    expect(SYMPTOM_TABLE['gateway-down'].suspect).toMatch(/^the Gateway itself .*not the network$/);
    expect(SYMPTOM_TABLE['stale-process'].title).toBe('Stale process after upgrade');
  });

  it('a fingerprint field refuses anything but 12 hex digits (a token pasted there does not travel)', () => {
    const evidence = host({ clientTokenFingerprint: 'gw-token-for-tests-0123456789' });
    expect(ProbeReportSchema.safeParse({ ...healthyReport(), host: evidence }).success).toBe(false);
    const unit = { ...host().unit!, unitTokenFingerprint: 'SeCrEt-stale' };
    expect(ProbeReportSchema.safeParse({ ...healthyReport(), host: host({ unit }) }).success).toBe(false);
    expect(ProbeReportSchema.safeParse({ ...healthyReport(), host: host() }).success).toBe(true);
  });
});
