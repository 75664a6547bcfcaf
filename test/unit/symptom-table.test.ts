import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, SYMPTOM_IDS, SYMPTOM_TABLE } from '../../src/diagnosis/symptom-table.js';

describe('the symptom table', () => {
  it('has exactly one row per id', () => {
    expect(Object.keys(SYMPTOM_TABLE).sort()).toEqual([...SYMPTOM_IDS].sort());
    expect(new Set(SYMPTOM_IDS).size).toBe(SYMPTOM_IDS.length);
  });

  it.each([...SYMPTOM_IDS])('%s has a title, a severity and the three runbook columns', (id) => {
    const row = SYMPTOM_TABLE[id];
    expect(row.title.trim()).not.toBe('');
    expect(SEVERITIES).toContain(row.severity);
    expect(row.see.trim().length).toBeGreaterThan(10);
    expect(row.suspect.trim().length).toBeGreaterThan(10);
    expect(row.do.trim().length).toBeGreaterThan(10);
    if (row.refines) expect(SYMPTOM_IDS).toContain(row.refines);
    // Only the placeholders diagnose() fills.
    for (const text of [row.see, row.suspect, row.do]) {
      for (const match of text.matchAll(/\{(\w+)\}/g)) expect(['port', 'gatewayPort', 'host', 'tokenEnv', 'deviceId']).toContain(match[1]);
    }
  });

  it('keeps the four runbook rows in their words', () => {
    const blocked = SYMPTOM_TABLE['tailnet-port-blocked'];
    expect(blocked.see).toContain('tailscale ping works but the CLI times out');
    expect(blocked.suspect).toBe('the port is missing from the tailnet ACL, or the host firewall drops it');
    expect(blocked.do).toContain('prove loopback on the server');
    expect(blocked.do).toContain('tag:ops → tag:gateway:{port}');
    expect(blocked.do).toContain('"rejected due to acl", it is the ACL');

    const auth = SYMPTOM_TABLE['auth-rejected'];
    expect(auth.see).toBe('HTTP 401 / WebSocket closed 1008 "gateway token mismatch"');
    expect(auth.suspect).toContain('the token env was not imported into the systemd unit');
    expect(auth.suspect).toContain('Environment=OPENCLAW_GATEWAY_TOKEN');
    expect(auth.do).toContain('systemctl daemon-reload && systemctl restart <unit>');
    expect(auth.do).toContain("rotate the token in every client's remote block");

    const closed = SYMPTOM_TABLE['ws-closed-early'];
    expect(closed.see).toBe('the WebSocket drops immediately / "gateway closed (1000)"');
    expect(closed.suspect).toContain('version skew on scopes or session shape after an upgrade');
    expect(closed.suspect).toContain('pre-auth handshake timer');
    expect(closed.do).toContain('roll back to the last good build and bisect');
    expect(closed.do).toContain("don't chase ACLs until the listen matrix is confirmed");

    const silent = SYMPTOM_TABLE['channel-silent'];
    expect(silent.see).toBe('the channel is online but no messages arrive');
    expect(silent.suspect).toContain('an `allowlist` with an empty `allowFrom` drops every DM silently');
    expect(silent.do).toContain('openclaw channels status --probe');
  });

  it('refinements point at the runbook rows they refine', () => {
    expect(SYMPTOM_TABLE['protocol-mismatch'].refines).toBe('ws-closed-early');
    expect(SYMPTOM_TABLE['handshake-timeout'].refines).toBe('ws-closed-early');
    expect(SYMPTOM_TABLE['handshake-timeout'].versions).toContain('OPENCLAW_HANDSHAKE_TIMEOUT_MS');
  });

  it('rates exposure critical, a half-visible gateway as degraded, and version news as information', () => {
    expect(SYMPTOM_TABLE['public-exposure'].severity).toBe('critical');
    expect(SYMPTOM_TABLE['public-exposure'].do).toMatch(/^CRITICAL: /);
    expect(SYMPTOM_TABLE['bot-node-offline'].severity).toBe('critical');
    expect(SYMPTOM_TABLE['scope-limited'].severity).toBe('warning');
    expect(SYMPTOM_TABLE['version-changed'].severity).toBe('info');
    expect(SYMPTOM_TABLE['auth-rejected'].severity).toBe('error');
  });

  it("the README's verdict list names every id of the table", () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const list = readme.slice(readme.indexOf('### Verdicts'), readme.indexOf('## The Slack bot'));
    for (const id of SYMPTOM_IDS) expect(list, id).toContain(`\`${id}\``);
  });

  it('the Serve-topology rows: the fix is the exact CLI line, the token is not blamed', () => {
    expect(SYMPTOM_TABLE['proxy-untrusted'].do).toContain(`openclaw config set gateway.trustedProxies '["127.0.0.1/32","::1/128"]' --strict-json`);
    expect(SYMPTOM_TABLE['proxy-untrusted'].suspect).toContain('The token is fine');
    expect(SYMPTOM_TABLE['gateway-down-behind-proxy'].do).toContain('`curl -fsS http://127.0.0.1:{gatewayPort}/healthz`');
    expect(SYMPTOM_TABLE['serve-route-missing'].do).toContain('`tailscale serve --bg --https=443 http://127.0.0.1:{gatewayPort}`');
    expect(SYMPTOM_TABLE['auth-none']).toMatchObject({ severity: 'critical', do: expect.stringMatching(/^CRITICAL: keep tokens fully on/) });
  });
});
