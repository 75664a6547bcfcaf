import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { renderCheckFailed, renderCheckPending, renderCheckResults, RERUN_ACTION_ID } from '../../src/render/check-blocks.js';
import { blockKitProblems } from '../support/slack-emulator.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';
import type { ProbeReport } from '../../src/report/report.js';

const LONG = 'x'.repeat(5_000);

function failing(name: string, message = 'unauthorized: gateway token mismatch'): ProbeReport {
  const report = healthyReport({ gateway: { name } });
  return notReachedAfter(
    withLayer(report, {
      layer: 'handshake',
      status: 'failed',
      startMs: 10,
      durationMs: 3,
      summary: `INVALID_REQUEST/AUTH_TOKEN_MISMATCH "${message.slice(0, 120)}" · close 1008`,
      evidence: {
        challenge: true,
        scopes: [],
        requestedScopes: ['operator.read'],
        failure: 'rejected',
        error: { code: 'INVALID_REQUEST', message, detailsCode: 'AUTH_TOKEN_MISMATCH' },
        close: { code: 1008, reason: message.slice(0, 120) },
      },
    }),
    'handshake',
  );
}

const results = (reports: ProbeReport[]) => reports.map((report) => ({ report, diagnosis: diagnose(report) }));

describe('check result messages stay inside Block Kit limits', () => {
  it.each([
    ['one healthy gateway', [healthyReport()]],
    ['one failing gateway', [failing('prod')]],
    ['one failing gateway with a 5000-character error', [failing('prod', LONG)]],
    ['50 healthy gateways', Array.from({ length: 50 }, (_, index) => healthyReport({ gateway: { name: `gw-${index}` } }))],
    ['50 failing gateways with long errors', Array.from({ length: 50 }, (_, index) => failing(`gw-${index}`, LONG))],
  ])('%s', (_label, reports) => {
    const message = renderCheckResults(results(reports), { requestedBy: 'U0ONCALL', rerun: { gateways: reports.map((report) => report.gateway.name) } });
    expect(blockKitProblems(message.blocks)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.text.length).toBeLessThanOrEqual(3_000);
    // The Re-run button is always there, last.
    const last = message.blocks.at(-1) as unknown as { type: string; elements: Array<{ action_id: string }> };
    expect(last.type).toBe('actions');
    expect(last.elements[0]!.action_id).toBe(RERUN_ACTION_ID);
  });

  it('a single failing result names the verdict in the header and the fallback, with the runbook columns', () => {
    const message = renderCheckResults(results([failing('prod')]));
    const json = JSON.stringify(message.blocks);
    expect(message.text).toContain('auth-rejected');
    expect(json).toContain('prod UNHEALTHY — auth-rejected');
    expect(json).toContain('*What you see:*');
    expect(json).toContain('*Suspect first:*');
    expect(json).toContain('*What to do:*');
    expect(json).toContain('handshake');
    expect(json).toContain('not reached');
    expect(json).toContain('*OpenClaw* unknown');
  });

  it('the fleet view lists every gateway and details only the unhealthy ones', () => {
    const reports = [healthyReport({ gateway: { name: 'prod' } }), failing('staging')];
    const message = renderCheckResults(results(reports));
    const json = JSON.stringify(message.blocks);
    expect(message.text).toMatch(/^🔴 1\/2 gateways healthy/);
    expect(json).toContain('*prod*');
    expect(json).toContain('*staging*');
    expect(json.match(/What you see/g)?.length).toBe(1);
  });

  it('placeholder and failure messages are inside the limits and say what happened', () => {
    const pending = renderCheckPending(['prod', 'staging'], 'U0ONCALL');
    const failed = renderCheckFailed(['prod'], `the check queue is unavailable ${LONG}`);
    expect(blockKitProblems(pending.blocks)).toEqual([]);
    expect(blockKitProblems(failed.blocks)).toEqual([]);
    expect(pending.text).toBe('⏳ Checking prod, staging…');
    expect(failed.text).toContain('Could not check prod: the check queue is unavailable');
  });
});
