import { describe, expect, it } from 'vitest';
import { evaluateChecklist, exitCodeOf, isTailnetAddress, summaryOf, type LineId, type LineStatus } from '../../src/features/accept/checklist.js';
import type { AcceptFacts } from '../../src/features/accept/facts.js';
import { escapeMarkdown, renderChecklistMarkdown } from '../../src/features/accept/markdown.js';
import { markdownBlocks, renderChecklistBlocks } from '../../src/features/accept/blocks.js';
import { renderChecklistForTerminal } from '../../src/features/accept/terminal.js';
import type { ProbeReport } from '../../src/report/report.js';
import { auditGatewayAccess } from '../../src/policy/acl-audit.js';
import type { AclAuditResult } from '../../src/features/acl/acl-service.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { blockKitProblems } from '../support/slack-emulator.js';
import { healthyReport, withLayer } from '../support/reports.js';

/**
 * The acceptance checklist's pure evaluation, line by line, from literal facts: a Serve-fronted
 * gateway whose every line passes, then one change per case. A line that cannot be checked is never
 * a pass and makes the exit code 1.
 */
const HOST = 'gw-prod.example-tailnet.ts.net';
const URL = `wss://${HOST}`;
const PUBLIC = '203.0.113.10';

const POLICY = `{
  "groups": { "group:ops": ["ops1@example.com"], "group:everyone": ["a@example.com","b@example.com","c@example.com","d@example.com","e@example.com","f@example.com"] },
  "tagOwners": { "tag:gateway": ["group:ops"], "tag:ops": ["group:ops"] },
  "acls": [ { "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:443"] } ],
  "tests": [ { "src": "autogroup:member", "deny": ["tag:gateway:443"] } ],
}`;

function aclResult(hujson = POLICY, opsGroups: string[] | undefined = ['tag:ops']): AclAuditResult {
  const parsed = parsePolicy(hujson);
  if (!parsed.ok) throw new Error('test policy does not parse');
  const audit = auditGatewayAccess(parsed.policy, {
    gateways: [{ name: 'prod', target: 'tag:gateway', port: 443 }],
    maxGroupSize: 5,
    ...(opsGroups ? { opsGroups } : {}),
  });
  return {
    ok: true,
    at: '2026-12-02T08:00:00.000Z',
    tailnet: '-',
    etag: '"e1"',
    gateways: [{ name: 'prod', target: 'tag:gateway', port: 443 }],
    audit,
    validation: { status: 'passed' },
    notes: [],
  };
}

function goodReport(): ProbeReport {
  const report = withLayer(healthyReport({ gateway: { url: URL, host: HOST, port: 443, gatewayPort: 18789 } }), {
    layer: 'tcp',
    status: 'ok',
    startMs: 0.2,
    durationMs: 4,
    summary: '100.101.102.103:443 connected',
    evidence: { address: '100.101.102.103', port: 443 },
  });
  report.exposureChecks = [
    { address: PUBLIC, port: 18789, tcp: 'timeout', durationMs: 1000 },
    { address: PUBLIC, port: 443, tcp: 'refused', durationMs: 20 },
  ];
  report.exposure = report.exposureChecks[0];
  report.host = {
    agent: { status: 'answered', deadlineMs: 8000, durationMs: 900, hostname: 'gw-prod', version: '0.1.0' },
    listeners: {
      available: true,
      port: 18789,
      bind: 'loopback',
      listening: true,
      bound: ['127.0.0.1', '::1'],
      allowed: ['127.0.0.1', '::1'],
      violations: [],
      owners: [{ port: 18789, address: '127.0.0.1', pid: 4242, process: 'node', unit: 'openclaw-gateway.service', openclaw: true }],
    },
    serve: {
      available: true,
      gatewayPort: 18789,
      routes: [
        { hostPort: `${HOST}:443`, mount: '/', target: 'http://127.0.0.1:18789', targetHost: '127.0.0.1', targetPort: 18789, toGateway: true, funnel: false },
      ],
    },
    gatewayConfig: {
      source: 'file',
      path: '/home/openclaw/.openclaw/openclaw.json',
      available: true,
      bind: 'loopback',
      authMode: 'token',
      tokenSource: 'secret-ref',
      tailscaleMode: 'serve',
      trustedProxies: ['127.0.0.1/32'],
    },
  };
  return report;
}

function goodFacts(): AcceptFacts {
  return {
    gateway: 'prod',
    url: URL,
    urlPort: 443,
    gatewayPort: 18789,
    checkedAt: Date.parse('2026-12-02T08:00:00Z'),
    report: goodReport(),
    verdict: { state: 'healthy', headline: 'prod healthy' },
    agent: { configured: true, bind: 'loopback' },
    publicAddress: PUBLIC,
    acl: { configured: true, result: aclResult(), opsSources: ['tag:ops'] },
    fingerprint: { available: true, latest: { recordedAt: new Date('2026-12-01T09:12:00Z'), hash: 'f1e2d3c4b5a69788' } },
  };
}

type Case = { name: string; change: (facts: AcceptFacts) => void; line: LineId; status: LineStatus; says?: RegExp };

const CASES: Case[] = [
  // loopback only (host agent listener matrix)
  {
    name: 'no agent configured',
    change: (f) => void (f.agent = { configured: false }),
    line: 'loopback-only',
    status: 'unchecked',
    says: /gateways\.prod\.agent/,
  },
  {
    name: 'agent not askable from this terminal',
    change: (f) => void (f.agent = { configured: true, bind: 'loopback', notAsked: 'no REDIS_URL' }),
    line: 'loopback-only',
    status: 'unchecked',
    says: /REDIS_URL/,
  },
  {
    name: 'agent silent',
    change: (f) => void (f.report.host = { agent: { status: 'silent', deadlineMs: 8000, durationMs: 8000 } }),
    line: 'loopback-only',
    status: 'unchecked',
    says: /did not answer within 8000 ms/,
  },
  {
    name: 'agent failed',
    change: (f) => void (f.report.host = { agent: { status: 'failed', deadlineMs: 8000, detail: 'refused: invalid job data' } }),
    line: 'loopback-only',
    status: 'unchecked',
    says: /invalid job data/,
  },
  {
    name: 'socket tables unreadable',
    change: (f) => void (f.report.host!.listeners = { ...f.report.host!.listeners!, available: false, reason: 'no-proc' }),
    line: 'loopback-only',
    status: 'unchecked',
    says: /no-proc/,
  },
  {
    name: 'nothing listening',
    change: (f) => void (f.report.host!.listeners = { ...f.report.host!.listeners!, listening: false, bound: [], allowed: [] }),
    line: 'loopback-only',
    status: 'fail',
    says: /nothing listens on port 18789/,
  },
  {
    name: 'bound to the wildcard',
    change: (f) =>
      void (f.report.host!.listeners = {
        ...f.report.host!.listeners!,
        bound: ['0.0.0.0'],
        allowed: [],
        violations: [{ address: '0.0.0.0', kind: 'wildcard', severity: 'critical', why: 'listens on every interface' }],
      }),
    line: 'loopback-only',
    status: 'fail',
    says: /0\.0\.0\.0: listens on every interface/,
  },
  {
    name: 'loopback only',
    change: () => undefined,
    line: 'loopback-only',
    status: 'pass',
    says: /127\.0\.0\.1, ::1 only .*openclaw-gateway\.service \(pid 4242\)/,
  },
  // health over the tailnet address
  { name: 'health over a tailnet address', change: () => undefined, line: 'tailnet-health', status: 'pass', says: /100\.101\.102\.103:443/ },
  {
    name: 'health over loopback only proves nothing about the tailnet',
    change: (f) =>
      void (f.report = withLayer(f.report, {
        layer: 'tcp',
        status: 'ok',
        startMs: 0,
        durationMs: 1,
        summary: '127.0.0.1:18789 connected',
        evidence: { address: '127.0.0.1', port: 18789 },
      })),
    line: 'tailnet-health',
    status: 'unchecked',
    says: /not a tailnet address/,
  },
  {
    name: 'health refused',
    change: (f) => {
      f.report = withLayer(
        f.report,
        {
          layer: 'tcp',
          status: 'failed',
          startMs: 0,
          durationMs: 1,
          summary: '100.101.102.103:443 refused',
          evidence: { address: '100.101.102.103', port: 443, error: 'refused' },
        },
        { layer: 'http', status: 'not-reached', startMs: 0, durationMs: 0, summary: 'not reached' },
      );
      f.verdict = { state: 'unhealthy', primary: 'refused', headline: 'prod UNHEALTHY: refused' };
    },
    line: 'tailnet-health',
    status: 'fail',
    says: /tcp: 100\.101\.102\.103:443 refused.*verdict: refused/,
  },
  // the public address
  {
    name: 'no publicAddress configured',
    change: (f) => void delete f.publicAddress,
    line: 'public-closed',
    status: 'unchecked',
    says: /gateways\.prod\.publicAddress/,
  },
  {
    name: 'public port answers',
    change: (f) => void (f.report.exposureChecks![0] = { address: PUBLIC, port: 18789, tcp: 'open', httpStatus: 200, openclaw: true, durationMs: 5 }),
    line: 'public-closed',
    status: 'fail',
    says: /203\.0\.113\.10:18789 ANSWERS \(HTTP 200, OpenClaw\)/,
  },
  {
    name: 'probe errored',
    change: (f) => void (f.report.exposureChecks![1] = { address: PUBLIC, port: 443, tcp: 'error', durationMs: 5 }),
    line: 'public-closed',
    status: 'unchecked',
  },
  {
    name: 'probe never ran',
    change: (f) => void (delete f.report.exposureChecks, delete f.report.exposure),
    line: 'public-closed',
    status: 'unchecked',
    says: /did not run/,
  },
  {
    name: 'public address closed on both ports',
    change: () => undefined,
    line: 'public-closed',
    status: 'pass',
    says: /18789 no answer \(filtered\).*443 refused/,
  },
  // token auth
  {
    name: 'auth mode none',
    change: (f) => void (f.report.host!.gatewayConfig = { ...f.report.host!.gatewayConfig!, authMode: 'none' }),
    line: 'token-auth',
    status: 'fail',
    says: /auth\.mode is none/,
  },
  {
    name: 'auth mode password',
    change: (f) => void (f.report.host!.gatewayConfig = { ...f.report.host!.gatewayConfig!, authMode: 'password' }),
    line: 'token-auth',
    status: 'fail',
    says: /password, not token/,
  },
  {
    name: 'config not read anywhere',
    change: (f) => void (f.report.host!.gatewayConfig = { source: 'file', available: false, reason: 'unreadable (EACCES)' }),
    line: 'token-auth',
    status: 'unchecked',
    says: /EACCES/,
  },
  {
    name: 'config.get stands in for the file',
    change: (f) => (
      (f.report.host!.gatewayConfig = { source: 'file', available: false, reason: 'missing' }),
      (f.report.gatewayConfig = { source: 'config.get', available: true, authMode: 'token', tokenSource: 'redacted' })
    ),
    line: 'token-auth',
    status: 'pass',
    says: /config\.get: gateway\.auth\.mode token/,
  },
  {
    name: 'mode unset, token set, used by the handshake',
    change: (f) => (
      (f.report.host!.gatewayConfig = { source: 'file', available: true, tokenSource: 'config' }),
      (f.report.layers.find((l) => l.layer === 'handshake')!.evidence = { challenge: true, scopes: [], requestedScopes: [], authMethod: 'token' })
    ),
    line: 'token-auth',
    status: 'pass',
    says: /unset \(token by default\)/,
  },
  {
    name: 'mode unset and no token seen',
    change: (f) => void (f.report.host!.gatewayConfig = { source: 'file', available: true, tokenSource: 'none' }),
    line: 'token-auth',
    status: 'unchecked',
  },
  {
    name: 'token mode',
    change: () => undefined,
    line: 'token-auth',
    status: 'pass',
    says: /openclaw\.json: gateway\.auth\.mode token · gateway\.auth\.token from a SecretRef/,
  },
  // the Serve route
  {
    name: 'direct ws:// to the Gateway port: no Serve',
    change: (f) => ((f.url = 'ws://100.101.102.103:18789'), (f.urlPort = 18789)),
    line: 'serve-route',
    status: 'not-applicable',
  },
  {
    name: 'Serve points elsewhere',
    change: (f) =>
      void (f.report.host!.serve!.routes = [
        { hostPort: `${HOST}:443`, mount: '/', target: 'http://127.0.0.1:18790', targetPort: 18790, toGateway: false, funnel: false },
      ]),
    line: 'serve-route',
    status: 'fail',
    says: /18790.*no route on port 443 forwards to the Gateway's port 18789/,
  },
  {
    name: 'Funnel on the Gateway route',
    change: (f) => void (f.report.host!.serve!.routes[0]!.funnel = true),
    line: 'serve-route',
    status: 'fail',
    says: /FUNNEL/,
  },
  { name: 'no Serve route at all', change: (f) => void (f.report.host!.serve!.routes = []), line: 'serve-route', status: 'fail', says: /no Serve route/ },
  { name: 'route on another port', change: (f) => void (f.report.host!.serve!.routes[0]!.hostPort = `${HOST}:8443`), line: 'serve-route', status: 'fail' },
  {
    name: 'no tailscaled on the host',
    change: (f) => void (f.report.host!.serve = { available: false, reason: 'socket-missing', gatewayPort: 18789, routes: [] }),
    line: 'serve-route',
    status: 'unchecked',
    says: /socket-missing/,
  },
  { name: 'Serve route to the Gateway', change: () => undefined, line: 'serve-route', status: 'pass', says: /:443\/ → http:\/\/127\.0\.0\.1:18789/ },
  // the ACL
  {
    name: 'no admin API',
    change: (f) => void (f.acl = { configured: false, hint: 'add tailscale.adminApi' }),
    line: 'acl-ops-only',
    status: 'unchecked',
    says: /tailscale\.adminApi/,
  },
  {
    name: 'admin API failed',
    change: (f) => void (f.acl = { configured: true, result: { ok: false, at: 'x', stage: 'fetch', message: 'reading the policy file: 401' } }),
    line: 'acl-ops-only',
    status: 'unchecked',
    says: /401/,
  },
  {
    name: 'ops sources not configured',
    change: (f) => void (f.acl = { configured: true, result: aclResult(POLICY, undefined) }),
    line: 'acl-ops-only',
    status: 'unchecked',
    says: /opsGroups/,
  },
  {
    name: 'everyone reaches the port',
    change: (f) => void (f.acl = { configured: true, result: aclResult(POLICY.replace('"src": ["tag:ops"]', '"src": ["*"]')), opsSources: ['tag:ops'] }),
    line: 'acl-ops-only',
    status: 'fail',
    says: /anyone on the tailnet/,
  },
  {
    name: 'a non-ops group reaches the port',
    change: (f) =>
      void (f.acl = { configured: true, result: aclResult(POLICY.replace('"src": ["tag:ops"]', '"src": ["tag:ops", "group:ops"]')), opsSources: ['tag:ops'] }),
    line: 'acl-ops-only',
    status: 'fail',
    says: /group:ops/,
  },
  {
    name: 'nobody reaches the port',
    change: (f) =>
      void (f.acl = { configured: true, result: aclResult(POLICY.replace('tag:gateway:443"] } ]', 'tag:gateway:22"] } ]')), opsSources: ['tag:ops'] }),
    line: 'acl-ops-only',
    status: 'fail',
    says: /no rule lets anyone reach/,
  },
  {
    name: 'only ops reach the port',
    change: () => undefined,
    line: 'acl-ops-only',
    status: 'pass',
    says: /tag:gateway:443 is reachable from tag:ops \(acls\[0\]\)/,
  },
  // the fingerprint
  {
    name: 'no fingerprint store wired',
    change: (f) => void (f.fingerprint = { available: false, hint: 'wire the store' }),
    line: 'fingerprint',
    status: 'unchecked',
    says: /no fingerprint store/,
  },
  { name: 'store did not answer', change: (f) => void (f.fingerprint = { available: true, error: 'Redis timeout' }), line: 'fingerprint', status: 'unchecked' },
  {
    name: 'nothing recorded yet',
    change: (f) => void (f.fingerprint = { available: true }),
    line: 'fingerprint',
    status: 'fail',
    says: /no success fingerprint recorded/,
  },
  { name: 'recorded', change: () => undefined, line: 'fingerprint', status: 'pass', says: /2026-12-01 09:12 UTC · f1e2d3c4b5a69788/ },
];

describe('the acceptance checklist', () => {
  it('passes every line and exits 0 when every fact proves it', () => {
    const checklist = evaluateChecklist(goodFacts());
    expect(checklist.lines.map((line) => [line.id, line.status])).toEqual([
      ['loopback-only', 'pass'],
      ['tailnet-health', 'pass'],
      ['public-closed', 'pass'],
      ['token-auth', 'pass'],
      ['serve-route', 'pass'],
      ['acl-ops-only', 'pass'],
      ['fingerprint', 'pass'],
    ]);
    expect(checklist.allPassed).toBe(true);
    expect(exitCodeOf(checklist)).toBe(0);
    expect(summaryOf(checklist)).toBe('ALL PASSED — 7 of 7 passed');
  });

  it.each(CASES)('$line: $name → $status', ({ change, line, status, says }) => {
    const facts = goodFacts();
    change(facts);
    const checklist = evaluateChecklist(facts);
    const entry = checklist.lines.find((candidate) => candidate.id === line)!;
    expect(entry.status).toBe(status);
    if (says) expect([...entry.evidence, entry.action ?? ''].join(' | ')).toMatch(says);
    // Only a proven line passes; anything else (but a config-decided n/a) makes the exit code 1.
    expect(exitCodeOf(checklist)).toBe(status === 'pass' || status === 'not-applicable' ? 0 : 1);
    if (status === 'unchecked' || status === 'fail') expect(entry.action, 'says what to do or configure').toBeTruthy();
  });

  it('an unchecked line reads as not passed, never as a pass', () => {
    const facts = goodFacts();
    facts.agent = { configured: false };
    const checklist = evaluateChecklist(facts);
    expect(checklist.counts).toMatchObject({ unchecked: 2, fail: 0 });
    expect(summaryOf(checklist)).toBe('NOT ALL PASSED — 5 of 7 passed · 2 not checked');
    expect(renderChecklistMarkdown(checklist)).not.toMatch(/ALL PASSED\*\*$/m);
  });

  it('knows the tailnet ranges', () => {
    expect(['100.64.0.1', '100.127.255.254', 'fd7a:115c:a1e0::1', '[fd7a:115c:a1e0:ab12::5]'].every(isTailnetAddress)).toBe(true);
    expect(['100.63.255.255', '100.128.0.1', '127.0.0.1', '10.0.0.1', 'fd7a:115c:a1e1::1'].some(isTailnetAddress)).toBe(false);
  });
});

describe('the checklist as Markdown for the ticket', () => {
  it('is a task list with the summary, the evidence and what to do', () => {
    const facts = goodFacts();
    facts.fingerprint = { available: false, hint: 'wire the store' };
    const markdown = renderChecklistMarkdown(evaluateChecklist(facts));
    expect(markdown).toContain('### Acceptance checklist: prod');
    expect(markdown).toContain('**NOT ALL PASSED — 6 of 7 passed · 1 not checked**');
    expect(markdown).toContain('- [x] **PASS** 1. The Gateway listens on loopback only (port 18789)');
    expect(markdown).toContain('- [ ] **NOT CHECKED** 7. A success fingerprint is recorded');
    expect(markdown).toContain('  - to check it: wire the store');
  });

  it('escapes outside text so that it cannot become a link, HTML, a code span or a new item', () => {
    const facts = goodFacts();
    const hostile = 'evil](https://evil.example) <img src=x onerror=alert(1)> `rm -rf` **bold** | cell\n- [x] **PASS** forged & $x$';
    facts.report.host!.serve!.routes = [{ hostPort: `${HOST}:443`, mount: '/', target: hostile, toGateway: false, funnel: false }];
    const markdown = renderChecklistMarkdown(evaluateChecklist(facts));
    const evidence = markdown.split('\n').find((text) => text.includes('evil'))!;
    expect(evidence).toBe(
      `  - evidence: ${HOST}:443/ → evil\\](https://evil.example) \\<img src=x onerror=alert(1)\\> \\\`rm -rf\\\` \\*\\*bold\\*\\* \\| cell - \\[x\\] \\*\\*PASS\\*\\* forged &amp; \\$x\\$`,
    );
    // The forged line did not become an item of its own.
    expect(markdown.match(/^- \[x\] \*\*PASS\*\* forged/m)).toBeNull();
    expect(escapeMarkdown('x'.repeat(5_000)).length).toBeLessThanOrEqual(600);
  });
});

describe('the checklist in Slack', () => {
  it('is valid Block Kit: a section per line and the Markdown in code blocks, escaped', () => {
    const facts = goodFacts();
    facts.report.host!.serve!.routes = [{ hostPort: `${HOST}:443`, target: '<!channel> & <@U0VICTIM>', toGateway: false, funnel: false }];
    const built = renderChecklistBlocks(evaluateChecklist(facts), { requestedBy: 'U0ONCALL' });
    expect(blockKitProblems(built.blocks)).toEqual([]);
    const json = JSON.stringify(built.blocks);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U0VICTIM>');
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;@U0VICTIM&gt;');
    expect(json).toContain('<@U0ONCALL>');
    expect(json).toContain('❌ *5. The Serve route points at the Gateway');
    expect(json).toContain('For the change ticket');
    expect(built.text).toMatch(/^❌ prod acceptance: NOT ALL PASSED/);
  });

  it('splits a long Markdown block at line boundaries, every piece inside the section limit', () => {
    const long = Array.from({ length: 200 }, (_, index) => `  - evidence: line ${index} ${'&'.repeat(20)}`).join('\n');
    const blocks = markdownBlocks(long);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blockKitProblems(blocks)).toEqual([]);
    const joined = blocks.map((block) => (block as unknown as { text: { text: string } }).text.text.replace(/^```|```$/g, '')).join('\n');
    expect(joined).not.toContain('…');
    expect(joined.split('\n')).toHaveLength(200);
  });
});

describe('the checklist in a terminal', () => {
  it('shows control characters from outside as text', () => {
    const facts = goodFacts();
    facts.report.host!.serve!.routes = [{ hostPort: `${HOST}:443`, target: 'x\u001b[2J\nforged', toGateway: false, funnel: false }];
    const text = renderChecklistForTerminal(evaluateChecklist(facts), { color: false });
    expect(text).toContain('x\\x1b[2J\\x0aforged');
    expect(text).toMatch(/^prod {2}wss:\/\/gw-prod\.example-tailnet\.ts\.net {2}NOT ALL PASSED/);
  });
});
