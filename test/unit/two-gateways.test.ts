import { describe, expect, it } from 'vitest';
import type { Checker } from '../../src/check/checker.js';
import { runJointCheck } from '../../src/check/joint-check.js';
import { createUnitTokenBook } from '../../src/check/unit-token-book.js';
import { resolveAgentSettings } from '../../src/config/agent-settings.js';
import { parseConfig } from '../../src/config/load.js';
import { resolveTarget, type CheckTarget } from '../../src/config/targets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { ConfigError } from '../../src/errors.js';
import { ProbeReportSchema, type ProbeReport } from '../../src/report/report.js';
import type { HostCheckRequester } from '../../src/queue/host-check-requester.js';
import type { HostCheckResult } from '../../src/queue/host-check-job.js';
import { healthyReport, notReachedAfter, settle, withLayer } from '../support/reports.js';

/** Two Gateways on one host: the config refuses the ambiguous file, and a swapped token is named. */

function issuesOf(yaml: string): string[] {
  try {
    parseConfig(yaml, 'clawops.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

const two = (prod: string, staging: string, extra = '') =>
  `gateways:\n  prod:\n    url: ${prod}\n    tokenEnv: PROD_TOKEN\n  staging:\n    url: ${staging}\n    tokenEnv: STAGING_TOKEN\n${extra}`;

describe('config validate: two gateways at one address', () => {
  const rows: Array<{ name: string; prod: string; staging: string; refused: boolean }> = [
    { name: 'the same URL', prod: 'ws://127.0.0.1:18789', staging: 'ws://127.0.0.1:18789', refused: true },
    { name: 'localhost and 127.0.0.1, same port', prod: 'ws://localhost:18789', staging: 'ws://127.0.0.1:18789', refused: true },
    { name: 'ws and wss on one host and port', prod: 'ws://gw.example-tailnet.ts.net:18789', staging: 'wss://gw.example-tailnet.ts.net:18789', refused: true },
    { name: 'wss default port and an explicit 443', prod: 'wss://GW.example-tailnet.ts.net', staging: 'wss://gw.example-tailnet.ts.net.:443', refused: true },
    { name: 'a short MagicDNS name and its FQDN', prod: 'ws://gw1:18789', staging: 'ws://gw1.example-tailnet.ts.net:18789', refused: true },
    { name: 'two ports on one host', prod: 'ws://127.0.0.1:18789', staging: 'ws://127.0.0.1:18790', refused: false },
    { name: 'two hosts', prod: 'wss://gw-prod.example-tailnet.ts.net', staging: 'wss://gw-staging.example-tailnet.ts.net', refused: false },
    { name: 'a short name and another domain', prod: 'ws://gw1:18789', staging: 'ws://gw1.corp.example:18789', refused: false },
  ];
  it.each(rows)('$name → refused $refused', ({ prod, staging, refused }) => {
    const issues = issuesOf(two(prod, staging));
    if (!refused) return expect(issues).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^gateways\.staging\.url: the same (URL|host and port) as prod .*two Gateways on one host need different ports .*mark this one `aliasOf: prod`$/,
    );
  });

  it('aliasOf marks a second name for one Gateway; it must name a real, non-alias entry', () => {
    expect(issuesOf(two('ws://127.0.0.1:18789', 'ws://127.0.0.1:18789', '    aliasOf: prod\n'))).toEqual([]);
    expect(issuesOf(two('ws://127.0.0.1:18789', 'ws://127.0.0.1:18789', '    aliasOf: prdo\n'))).toEqual([
      expect.stringMatching(/^gateways\.staging\.aliasOf: no gateway named "prdo"/),
    ]);
    expect(issuesOf(two('ws://127.0.0.1:18789', 'ws://127.0.0.1:18790', '    aliasOf: staging\n'))).toEqual([
      'gateways.staging.aliasOf: a gateway cannot be an alias of itself',
    ]);
    const chain = `${two('ws://127.0.0.1:18789', 'ws://127.0.0.1:18789', '    aliasOf: prod\n')}  third:\n    url: ws://127.0.0.1:18789\n    aliasOf: staging\n`;
    expect(issuesOf(chain)).toEqual([expect.stringContaining('gateways.third.aliasOf: staging is itself an alias of prod')]);
  });
});

function authRejected(report: ProbeReport): ProbeReport {
  return settle(
    notReachedAfter(
      withLayer(report, {
        layer: 'handshake',
        status: 'failed',
        startMs: 6,
        durationMs: 30,
        summary: 'INVALID_REQUEST/AUTH_TOKEN_MISMATCH "unauthorized: gateway token mismatch" · close 1008',
        evidence: {
          challenge: true,
          scopes: [],
          requestedScopes: [],
          failure: 'rejected',
          error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', detailsCode: 'AUTH_TOKEN_MISMATCH' },
          close: { code: 1008, reason: 'unauthorized: gateway token mismatch' },
        },
      }),
      'handshake',
    ),
  );
}

describe('"this is staging\'s token"', () => {
  const config = parseConfig(two('ws://127.0.0.1:18789', 'ws://127.0.0.1:18790', '    agent: {}\n'), 'clawops.yaml');
  const PROD = 'prod-token-0123456789abcdef';
  const STAGING = 'staging-token-0123456789abcdef';

  it('resolveTarget knows which other gateway is configured with this very token (names only)', () => {
    expect(resolveTarget(config, 'prod', { PROD_TOKEN: STAGING, STAGING_TOKEN: STAGING }).sameTokenAs).toEqual([
      { gateway: 'staging', tokenEnv: 'STAGING_TOKEN' },
    ]);
    expect(resolveTarget(config, 'prod', { PROD_TOKEN: PROD, STAGING_TOKEN: STAGING }).sameTokenAs).toBeUndefined();
    // One variable for both is one token by design; an alias shares its Gateway's on purpose.
    const shared = parseConfig('gateways:\n  a:\n    url: ws://127.0.0.1:1\n  b:\n    url: ws://127.0.0.1:2\n', 'x');
    expect(resolveTarget(shared, 'a', { OPENCLAW_GATEWAY_TOKEN: PROD }).sameTokenAs).toBeUndefined();
    const aliased = parseConfig(two('ws://127.0.0.1:18789', 'ws://127.0.0.1:18789', '    aliasOf: prod\n'), 'x');
    expect(resolveTarget(aliased, 'prod', { PROD_TOKEN: PROD, STAGING_TOKEN: PROD })).toMatchObject({ aliases: ['staging'] });
    expect(resolveTarget(aliased, 'prod', { PROD_TOKEN: PROD, STAGING_TOKEN: PROD }).sameTokenAs).toBeUndefined();
  });

  it('auth-rejected with a token configured for staging names staging, by fingerprint, never the token', () => {
    const report = ProbeReportSchema.parse({
      ...authRejected(healthyReport({ gateway: { name: 'prod', tokenEnv: 'PROD_TOKEN' } })),
      tokenOwners: [{ gateway: 'staging', via: 'config', tokenEnv: 'STAGING_TOKEN', fingerprint: tokenFingerprint(STAGING) }],
    });
    const primary = diagnose(report).verdicts[0]!;
    expect(primary.id).toBe('auth-rejected');
    expect(primary.evidence[0]).toBe("this is staging's token: prod was sent a token that belongs to staging");
    expect(primary.evidence).toContain(
      `the token sent (fingerprint ${tokenFingerprint(STAGING)}, from PROD_TOKEN) is the one configured for staging (STAGING_TOKEN)`,
    );
    expect(primary.suspect).toContain("PROD_TOKEN holds staging's token, not prod's");
    expect(JSON.stringify(diagnose(report))).not.toContain(STAGING);
    // Without an owner it stays the plain row.
    expect(diagnose(authRejected(healthyReport())).verdicts[0]!.evidence[0]).not.toContain("'s token");
  });

  it("the host agent's unit fingerprint for another gateway names it too (learned from staging's agent)", async () => {
    const env = { PROD_TOKEN: STAGING, STAGING_TOKEN: 'something-else-entirely-0123' };
    const unitTokens = createUnitTokenBook();
    const answerFor = (gateway: string, unitToken: string): HostCheckResult =>
      ({
        gateway,
        hostname: 'gw-host',
        agentVersion: '0.1.0',
        durationMs: 5,
        listeners: { available: true, port: 18789, bind: 'loopback', listening: true, bound: ['127.0.0.1'], allowed: ['127.0.0.1'], violations: [] },
        loopback: { url: 'ws://127.0.0.1:18789', ok: true, summary: 'ok', layers: [] },
        unit: {
          unitName: `openclaw-${gateway}`,
          available: true,
          unitFound: true,
          dropInPaths: [],
          unitTokenFingerprint: tokenFingerprint(unitToken),
          tokenDrift: false,
          portDrift: false,
          findings: [],
        },
        version: { status: 'unknown', others: [], summary: 'unknown' },
      }) as HostCheckResult;
    const hostChecks: HostCheckRequester = {
      request: async (gateway) => ({ status: 'answered', result: answerFor(gateway, gateway === 'staging' ? STAGING : PROD), waitedMs: 3 }),
      close: async () => undefined,
    };
    const checker = (failing: boolean): Checker => {
      const probe = async (target: CheckTarget) =>
        failing
          ? authRejected(healthyReport({ gateway: { name: target.name, tokenEnv: target.tokenEnv } }))
          : healthyReport({ gateway: { name: target.name } });
      return {
        probe,
        check: async (target) => {
          const report = await probe(target);
          return { report, diagnosis: diagnose(report) };
        },
        checkMany: async () => [],
      };
    };
    // This config is not swapped: only staging's unit shows whose token PROD_TOKEN holds.
    const staging = resolveTarget(config, 'staging', env);
    await runJointCheck({ checker: checker(false), hostChecks, unitTokens }, staging, resolveAgentSettings(config, 'staging'));
    const prod = resolveTarget(config, 'prod', env);
    expect(prod.sameTokenAs).toBeUndefined();
    const report = await runJointCheck({ checker: checker(true), hostChecks, unitTokens }, prod, resolveAgentSettings(config, 'prod'));
    expect(report.tokenOwners).toEqual([{ gateway: 'staging', via: 'host-unit', fingerprint: tokenFingerprint(STAGING) }]);
    const primary = diagnose(report).verdicts[0]!;
    expect(primary.evidence[0]).toBe("this is staging's token: prod was sent a token that belongs to staging");
    expect(primary.evidence.join('\n')).toContain("is the one staging's systemd unit gives its Gateway (its host agent)");
  });
});
