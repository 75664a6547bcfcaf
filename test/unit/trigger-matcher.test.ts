import { describe, expect, it } from 'vitest';
import { gatewayPortOf } from '../../src/config/targets.js';
import { knownGatewaysOf, matchSymptom, MAX_SCANNED } from '../../src/features/triggers/matcher.js';

/**
 * The incident-channel matcher, on messages as people paste them: client errors, log lines,
 * half-sentences at 3 a.m. — and the many that mention a number or a word but are not a symptom.
 */
const GATEWAYS = knownGatewaysOf(
  {
    prod: { url: 'wss://gw-prod.example-tailnet.ts.net', gatewayPort: 18789 },
    staging: { url: 'ws://100.101.102.104:18790' },
    lab: { url: 'ws://lab-box:18789', tailnetHost: 'lab-box.example-tailnet.ts.net' },
  },
  gatewayPortOf,
);

type Case = [message: string, symptom: string | undefined, gateways?: string[]];

const CASES: Case[] = [
  // the runbook's pastes
  ['gateway closed (1000)', 'ws-closed-early'],
  ['openclaw tui: gateway closed (1000) right after connect on prod, anyone?', 'ws-closed-early', ['prod']],
  ['Error: WebSocket closed with code 1006 (abnormal closure) gw-prod.example-tailnet.ts.net', 'ws-closed-early', ['prod']],
  ['ws disconnected (1006) from staging again', 'ws-closed-early', ['staging']],
  ['[gateway] closed 1008: unauthorized: gateway token mismatch', 'auth-rejected'],
  ['getting HTTP 401 from prod since the rotation', 'auth-rejected', ['prod']],
  ['curl says 401 Unauthorized on /tools/invoke', 'auth-rejected'],
  ['Unexpected server response: 403', 'auth-rejected'],
  ['the cli returns 403 for me but not for Sam', 'auth-rejected'],
  ['gateway connect failed: pairing required (requestId 7f3c…) on lab', 'pairing-required', ['lab']],
  ['closed 1008 NOT_PAIRED', 'pairing-required'],
  ['node pairing: Unexpected server response: 400 then 1006', 'upgrade-stripped'],
  [
    '{"error":{"message":"Proxy client attribution is required. Configure gateway.trustedProxies narrowly","type":"proxy_attribution_required"}}',
    'proxy-untrusted',
  ],
  ['HTTP 403 proxy_attribution_required behind serve on gw-prod', 'proxy-untrusted', ['prod']],
  ['Error: connect ECONNREFUSED 127.0.0.1:18789', 'refused'],
  ['connect ECONNREFUSED 100.101.102.104:18790 — staging down?', 'refused', ['staging']],
  ['connect ETIMEDOUT 100.101.102.104:18790', 'timeout', ['staging']],
  ['request to gw-prod.example-tailnet.ts.net timed out after 10s', 'timeout', ['prod']],
  ['tailscale ping lab-box works but the CLI timed out connecting to lab-box:18789', 'tailnet-port-blocked', ['lab']],
  ['gateway closed (4001): gateway auth changed', 'token-rotated'],
  ['socket closed 1002 protocol mismatch after upgrading the cli', 'protocol-mismatch'],
  ['closed (1012) service restart — someone restarting prod?', 'gateway-restarting', ['prod']],
  ['closed 1013: gateway starting; retry shortly', 'gateway-starting'],
  ['Unexpected server response: 502 from gw-prod', 'gateway-down-behind-proxy', ['prod']],
  // Slack's own markup around a paste
  ['`Error: connect ECONNREFUSED 127.0.0.1:18789` see <https://gw-prod.example-tailnet.ts.net/healthz|gw-prod>', 'refused', ['prod']],
  ['&lt;gateway&gt; closed (1000) &amp; retried', 'ws-closed-early'],
  // must NOT match
  ['closing the 1000th ticket today 🎉', undefined],
  ['we have 1006 open alerts in the backlog', undefined],
  ['the build timed out again', undefined],
  ['prod deploy timed out, retrying', undefined],
  ['connect ECONNREFUSED 127.0.0.1:6379 (redis, not the gateway)', undefined],
  ['connect ECONNREFUSED 140.82.112.3:443', undefined],
  ['room 401 is free for the retro', undefined],
  ['the 403b plan renewal is due', undefined],
  ['paired with Sam on the pairing doc', undefined],
  ['ticket OPS-1008 is closed', undefined],
  ['lgtm, merging', undefined],
  ['', undefined],
];

describe('the incident trigger matcher', () => {
  it('has at least 30 real-looking messages, including ones that must not match', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(CASES.filter(([, symptom]) => symptom === undefined).length).toBeGreaterThanOrEqual(10);
  });

  it.each(CASES)('%j → %s', (message, symptom, gateways = []) => {
    const match = matchSymptom(message, GATEWAYS);
    expect(match?.symptom).toBe(symptom);
    if (symptom) expect(match?.gateways).toEqual(gateways);
  });

  it('names gateways by name, host, address and MagicDNS label, each once, in order', () => {
    expect(matchSymptom('closed (1000) on staging and gw-prod and prod again, lab-box.example-tailnet.ts.net too', GATEWAYS)?.gateways).toEqual([
      'staging',
      'prod',
      'lab',
    ]);
  });

  it('reads only the first MAX_SCANNED characters', () => {
    expect(matchSymptom(`${'x'.repeat(MAX_SCANNED)} gateway closed (1000)`, GATEWAYS)).toBeUndefined();
    expect(matchSymptom(`${'x'.repeat(MAX_SCANNED - 40)} gateway closed (1000)`, GATEWAYS)?.symptom).toBe('ws-closed-early');
  });

  it('stays linear on adversarial text (no catastrophic backtracking)', () => {
    // Shapes that make a naive pattern backtrack: long runs that almost match, repeated prefixes, markup.
    const adversarial = [
      'closed '.repeat(100_000),
      `econnrefused ${'1.'.repeat(100_000)}`,
      `${'<'.repeat(50_000)}${'|'.repeat(50_000)}`,
      `unexpected server response:${' '.repeat(100_000)}`,
      `${'a.'.repeat(100_000)}ts.net timed out`,
      `closed ${'('.repeat(100_000)}1000`,
    ];
    // A generous bound for a safety property (a catastrophic pattern takes minutes on these), not a speed figure.
    const started = performance.now();
    for (const message of adversarial) matchSymptom(message, GATEWAYS);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('returns the phrase as written, bounded', () => {
    const match = matchSymptom('Error: connect ECONNREFUSED 127.0.0.1:18789', GATEWAYS);
    expect(match?.phrase).toBe('econnrefused 127.0.0.1:18789');
    expect((matchSymptom(`closed ${' '.repeat(20)}(1000)`, GATEWAYS)?.phrase.length ?? 0) <= 80).toBe(true);
  });
});
