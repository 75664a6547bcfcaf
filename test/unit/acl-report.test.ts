import { describe, expect, it } from 'vitest';
import { parseGatewayCommand } from '../../commands/parse.js';
import { parseConfig } from '../../src/config/load.js';
import { renderAclAudit } from '../../src/features/acl/render/acl-blocks.js';
import { renderAclForTerminal } from '../../src/features/acl/render/acl-terminal.js';
import { auditTargetsFor } from '../../src/features/acl/acl-targets.js';
import { aclFindingCount, createAclAuditService, type AclAuditResult } from '../../src/features/acl/acl-service.js';
import { TailscaleApiError, type AdminApiClient, type Device, type PolicyValidation } from '../../src/tailscale/admin-api.js';
import { blockKitProblems } from '../support/slack/block-kit-limits.js';

const CONFIG = parseConfig(
  `
tailscale:
  adminApi:
    apiKeyEnv: TS_API_KEY
  acl:
    maxGroupSize: 2
gateways:
  prod:
    url: wss://gw-prod.example-tailnet.ts.net
  staging:
    url: ws://100.101.102.103:18789
    aclTarget: tag:staging
  lab:
    url: ws://127.0.0.1:28789
    tailnetHost: gw-lab
`,
  'clawops.yaml',
);

const POLICY = `{
  // ops, and a big group that should not be here
  "groups": { "group:eng": ["a@example.com", "b@example.com", "c@example.com",], },
  "acls": [
    { "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:443", "tag:staging:18789"] },
    { "action": "accept", "src": ["*"], "dst": ["*:*"] }, // temporary!
    { "action": "accept", "src": ["group:eng"], "dst": ["100.101.102.110:28789"] },
  ],
}`;

function device(name: string, hostname: string, addresses: string[]): Device {
  return { id: hostname, name, hostname, addresses, tags: [] } as unknown as Device;
}

function fakeAdmin(overrides: Partial<AdminApiClient> = {}): AdminApiClient {
  return {
    getPolicy: async () => ({ hujson: POLICY, etag: '"0123456789abcdef0123"' }),
    listDevices: async () => [device('gw-lab.example-tailnet.ts.net', 'gw-lab', ['100.101.102.110', 'fd7a:115c:a1e0::110'])],
    validatePolicy: async (): Promise<PolicyValidation> => ({
      ok: false,
      message: 'test(s) failed',
      failures: [{ user: 'autogroup:member', errors: ['address "tag:gateway:443": want: Drop, got: Accept'], warnings: [] }],
    }),
    setPolicy: async () => {
      throw new Error('not used');
    },
    getDevice: async () => {
      throw new Error('not used');
    },
    deleteDevice: async () => undefined,
    expireDevice: async () => undefined,
    listUsers: async () => [],
    getDnsPreferences: async () => ({ magicDNS: true }),
    ...overrides,
  };
}

const NOW = Date.parse('2026-03-01T12:00:00Z');
const audit = (admin: AdminApiClient, validate?: boolean) =>
  createAclAuditService({ config: CONFIG, admin: { ok: true, client: admin }, now: () => NOW }).audit({
    gateways: ['lab', 'prod', 'staging'],
    ...(validate === undefined ? {} : { validate }),
  });

describe('gateways as the ACL audit sees them', () => {
  it('target from aclTarget or the default, port from the URL (Serve: 443), IPs from literals and the device', () => {
    expect(auditTargetsFor(CONFIG, ['prod', 'staging', 'lab', 'nope'], [device('gw-lab.example-tailnet.ts.net', 'gw-lab', ['100.101.102.110'])])).toEqual([
      { name: 'prod', target: 'tag:gateway', port: 443 },
      { name: 'staging', target: 'tag:staging', port: 18789, ips: ['100.101.102.103'] },
      { name: 'lab', target: 'tag:gateway', port: 28789, ips: ['127.0.0.1', '100.101.102.110'] },
    ]);
  });
});

describe('the ACL audit service', () => {
  it('audits the fetched policy, matches IP rules through the devices, and reports validate failures', async () => {
    const result = await audit(fakeAdmin());
    if (!result.ok) throw new Error(result.message);
    expect(result).toMatchObject({ at: '2026-03-01T12:00:00.000Z', etag: '"0123456789abcdef0123"', tailnet: '-', notes: [] });
    const reasons = result.audit.findings.map((finding) => `${finding.gateway}:${finding.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining(['prod:wildcard-source', 'prod:wildcard-destination', 'lab:large-group', 'lab:wildcard-source', 'staging:missing-deny-test']),
    );
    expect(result.validation).toEqual({ status: 'failed', message: 'test(s) failed', failures: [expect.objectContaining({ user: 'autogroup:member' })] });
    expect(aclFindingCount(result)).toBe(result.audit.findings.length + 1);
  });

  it('skips validate when asked, and notes that devices could not be listed', async () => {
    const result = await audit(
      fakeAdmin({ listDevices: async () => Promise.reject(new TailscaleApiError('forbidden', 'GET tailnet/-/devices answered 403', { status: 403 })) }),
      false,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.validation).toEqual({ status: 'skipped' });
    expect(result.notes[0]).toMatch(/^devices not listed: GET tailnet\/-\/devices answered 403 \(the credential lacks the scope/);
    // Without the device, the rule written against lab's IP is not seen.
    expect(result.audit.findings.some((finding) => finding.gateway === 'lab' && finding.reason === 'large-group')).toBe(false);
  });

  it('turns a refused policy read, a policy that does not parse, and a missing credential into values', async () => {
    const refused = await audit(
      fakeAdmin({
        getPolicy: async () => Promise.reject(new TailscaleApiError('unauthorized', 'GET tailnet/-/acl answered 401: API token invalid', { status: 401 })),
      }),
    );
    expect(refused).toMatchObject({
      ok: false,
      stage: 'fetch',
      message: 'reading the policy file: GET tailnet/-/acl answered 401: API token invalid (wrong or expired credential)',
    });
    const broken = await audit(fakeAdmin({ getPolicy: async () => ({ hujson: '{ "acls": [ }', etag: '"x"' }) }));
    expect(broken).toMatchObject({
      ok: false,
      stage: 'parse',
      problems: expect.arrayContaining([expect.objectContaining({ code: 'ValueExpected', line: 1, column: 13 })]),
    });
    const service = createAclAuditService({
      config: CONFIG,
      admin: { ok: false, problem: 'TS_API_KEY (named by tailscale.adminApi.apiKeyEnv) is not set on this node' },
    });
    expect(await service.audit({ gateways: ['prod'] })).toMatchObject({
      ok: false,
      stage: 'config',
      message: 'TS_API_KEY (named by tailscale.adminApi.apiKeyEnv) is not set on this node',
    });
    expect(await createAclAuditService({ config: CONFIG, admin: undefined }).audit({ gateways: ['prod'] })).toMatchObject({
      ok: false,
      stage: 'config',
      message: expect.stringContaining('add tailscale.adminApi'),
    });
  });
});

describe('rendering the audit', () => {
  it('Slack: who can reach each port, the offending rule, ready-to-paste tests, failing policy tests', async () => {
    const result = await audit(fakeAdmin());
    const message = renderAclAudit(result, { requestedBy: 'U0ONCALL' });
    expect(blockKitProblems(message.blocks)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(message.text).toMatch(/^🔐 Tailnet ACL audit: \d+ finding\(s\) — acl-too-broad /);
    expect(message.text).toContain('acl-too-broad prod: acls[1] lets * (anyone on the tailnet) reach tag:gateway:443 (prod)');
    expect(message.text).toMatch(/; policy tests fail$/);
    expect(text).toContain('🚨 *prod* `tag:gateway:443` — reachable from: ANYONE (*) · tags tag:ops');
    expect(text).toContain('{\\"action\\":\\"accept\\",\\"src\\":[\\"*\\"],\\"dst\\":[\\"*:*\\"]}');
    expect(text).toContain('{\\"src\\":\\"autogroup:member\\",\\"deny\\":[\\"tag:staging:18789\\"]},');
    expect(text).toContain('address \\"tag:gateway:443\\": want: Drop, got: Accept');
    expect(text).toContain('requested by <@U0ONCALL>');
  });

  it('Slack: stays inside Block Kit limits with hundreds of findings', () => {
    const findings = Array.from({ length: 300 }, (_, index) => ({
      id: 'acl-too-broad' as const,
      severity: 'warning' as const,
      reason: 'large-group' as const,
      gateway: `gw${index}`,
      ruleText: JSON.stringify({ src: ['group:x'], dst: ['*:*'] }).repeat(60),
      message: `acls[${index}] lets group:x reach ${'x'.repeat(400)}`,
    }));
    const access = Array.from({ length: 300 }, (_, index) => ({
      gateway: `gw${index}`,
      target: 'tag:gateway',
      port: 18789,
      rules: [],
      sources: [],
      anyone: false,
      allMembers: false,
      users: Array.from({ length: 50 }, (_, u) => `user${u}@example.com`),
      tags: [],
      other: [],
    }));
    const result: AclAuditResult = {
      ok: true,
      at: '2026-03-01T12:00:00Z',
      tailnet: '-',
      etag: '"e"',
      gateways: access.map((entry) => ({ name: entry.gateway, target: entry.target, port: entry.port })),
      audit: { findings, access, suggestedTests: Array.from({ length: 300 }, (_, index) => ({ src: 'autogroup:member', deny: [`tag:gw${index}:18789`] })) },
      validation: {
        status: 'failed',
        message: 'test(s) failed',
        failures: Array.from({ length: 40 }, () => ({ user: 'u', errors: ['e'.repeat(500)], warnings: [] })),
      },
      notes: [],
    };
    const message = renderAclAudit(result);
    expect(blockKitProblems(message.blocks)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('Slack: an audit that could not run says why', () => {
    const message = renderAclAudit({
      ok: false,
      at: 'x',
      stage: 'parse',
      message: 'the policy file does not parse',
      problems: [{ code: 'CommaExpected', message: 'CommaExpected at line 3, column 5' }],
    });
    expect(message.text).toBe('⚠️ ACL audit could not run: the policy file does not parse');
    expect(JSON.stringify(message.blocks)).toContain('CommaExpected at line 3, column 5');
  });

  it('terminal: the same content, no colour unless asked', async () => {
    const output = renderAclForTerminal(await audit(fakeAdmin()), { color: false });
    expect(output).not.toContain('\u001b[');
    expect(output).toMatch(/^tailnet ACL audit {2}\d+ finding\(s\) · policy ETag 0123456789ab… · tailnet -$/m);
    expect(output).toContain('  prod  tag:gateway:443 — ANYONE (*) · tags tag:ops (via acls[0], acls[1])');
    expect(output).toContain('    rule {"action":"accept","src":["*"],"dst":["*:*"]}');
    expect(output).toContain('    {"src":"autogroup:member","deny":["tag:staging:18789"]},');
    expect(output).toContain('    autogroup:member: address "tag:gateway:443": want: Drop, got: Accept');
  });
});

describe('/gateway acl parsing', () => {
  const known = ['prod', 'staging'];
  it.each([
    ['acl', { kind: 'acl', gateways: known, all: true }],
    ['acl all', { kind: 'acl', gateways: known, all: true }],
    ['ACL prod', { kind: 'acl', gateways: ['prod'], all: false }],
  ])('%s', (text, command) => {
    expect(parseGatewayCommand(text, known)).toEqual({ ok: true, command });
  });
  it('an unknown name gets the same suggestion as a check', () => {
    expect(parseGatewayCommand('acl prdo', known)).toMatchObject({
      ok: false,
      message: expect.stringContaining('No gateway named `prdo`. Did you mean `prod`?'),
    });
    expect(parseGatewayCommand('acl', [])).toMatchObject({ ok: false, message: expect.stringContaining('No gateways are configured.') });
  });
});
