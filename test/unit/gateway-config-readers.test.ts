import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../../src/host/read-gateway-config.js';
import { parseServeTarget, serveEvidence } from '../../src/host/serve-check.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { configuredAccounts, policyProblems, resolveAccountPolicy } from '../../src/openclaw/channel-policy.js';
import { gatewayConfigFacts } from '../../src/openclaw/gateway-config.js';
import { channelsLayer } from '../../src/probes/rpc-layers.js';
import { netErrorOf, TLS_ALERT_INTERNAL_ERROR } from '../../src/report/net-error.js';
import { ServeConfigSchema } from '../../src/tailscale/local-api-schemas.js';
import { toServeConfig } from '../../src/tailscale/local-api-model.js';

const BOT_TOKEN = '123456789:AAUnitTestBotTokenNeverCopiedXXXXXXXX';
const GATEWAY_TOKEN = 'unit-gateway-token-7f3a9c1e5b';

describe('channel policies from the Gateway config', () => {
  const config = {
    channels: {
      defaults: { groupPolicy: 'open' },
      telegram: {
        botToken: BOT_TOKEN,
        dmPolicy: 'allowlist',
        allowFrom: [],
        accounts: {
          ops: { botToken: BOT_TOKEN, dmPolicy: 'disabled' },
          grp: { botToken: BOT_TOKEN, groupPolicy: 'disabled', allowFrom: ['42'] },
          off: { botToken: BOT_TOKEN, enabled: false },
        },
      },
      whatsapp: { allowFrom: ['+15550100'] },
      modelByChannel: { telegram: { '42': 'openai/gpt-5.4' } },
    },
  };

  it('an account inherits the channel root, not accounts.default; explicit account keys win', () => {
    expect(resolveAccountPolicy(config, 'telegram', 'default')).toEqual({
      dmPolicy: 'allowlist',
      dmPolicyAt: 'channels.telegram.dmPolicy',
      groupPolicy: 'open',
      groupPolicyAt: 'channels.defaults.groupPolicy',
      allowFromCount: 0,
      allowFromAt: 'channels.telegram.allowFrom',
    });
    expect(resolveAccountPolicy(config, 'telegram', 'ops')).toMatchObject({
      dmPolicy: 'disabled',
      dmPolicyAt: 'channels.telegram.accounts.ops.dmPolicy',
      allowFromCount: 0,
    });
    expect(resolveAccountPolicy(config, 'telegram', 'grp')).toMatchObject({
      dmPolicy: 'allowlist',
      groupPolicy: 'disabled',
      groupPolicyAt: 'channels.telegram.accounts.grp.groupPolicy',
      allowFromCount: 1,
      allowFromAt: 'channels.telegram.accounts.grp.allowFrom',
    });
    // Nothing set anywhere: OpenClaw's defaults, pairing and allowlist.
    expect(resolveAccountPolicy({ channels: { slack: {} } }, 'slack', 'default')).toEqual({
      dmPolicy: 'pairing',
      dmPolicyAt: 'default',
      groupPolicy: 'allowlist',
      groupPolicyAt: 'default',
    });
    expect(resolveAccountPolicy(config, 'discord', 'default')).toBeUndefined();
    // Ids a Gateway would never make are not looked up: they would end up in evidence text.
    expect(resolveAccountPolicy({ channels: { 'tele<!channel>': { dmPolicy: 'disabled' } } }, 'tele<!channel>', 'default')).toBeUndefined();
    expect(resolveAccountPolicy(config, 'telegram', 'x'.repeat(65))).toBeUndefined();
  });

  it('names the three ways a policy drops everything, and nothing for a working one', () => {
    expect(policyProblems(resolveAccountPolicy(config, 'telegram', 'default')!)).toEqual([
      'dmPolicy allowlist with an empty allowFrom (channels.telegram.allowFrom): every DM is dropped',
    ]);
    expect(policyProblems(resolveAccountPolicy(config, 'telegram', 'ops')!)).toEqual([
      'dmPolicy disabled (channels.telegram.accounts.ops.dmPolicy): every DM is ignored',
    ]);
    expect(policyProblems(resolveAccountPolicy(config, 'telegram', 'grp')!)).toEqual([
      'groupPolicy disabled (channels.telegram.accounts.grp.groupPolicy): every group message is blocked',
    ]);
    expect(policyProblems(resolveAccountPolicy(config, 'whatsapp', 'default')!)).toEqual([]);
    // An allowlist with no allowFrom at all drops every DM too; the path to fix is named.
    expect(policyProblems(resolveAccountPolicy({ channels: { signal: { accounts: { a: { dmPolicy: 'allowlist' } } } } }, 'signal', 'a')!)).toEqual([
      'dmPolicy allowlist with an empty allowFrom (channels.signal.accounts.a.allowFrom): every DM is dropped',
    ]);
  });

  it('lists the enabled accounts a config names; settings blocks are not channels', () => {
    expect(configuredAccounts(config)).toEqual([
      { channel: 'telegram', account: 'ops' },
      { channel: 'telegram', account: 'grp' },
      { channel: 'whatsapp', account: 'default' },
    ]);
  });

  it('channels.status joined with config.get: policies named first, the bot token never copied', () => {
    const layer = channelsLayer(
      {
        ok: true,
        durationMs: 5,
        payload: {
          channelAccounts: {
            telegram: [
              { accountId: 'default', configured: true, running: true, probe: { ok: false, status: null, error: 'fetch failed', elapsedMs: 1800 } },
              { accountId: 'ops', configured: true, running: true },
            ],
          },
          statusIssues: [],
        },
      },
      { startMs: 45, durationMs: 5 },
      5_000,
      { ok: true, durationMs: 4, payload: { config } },
    );
    expect(layer.status).toBe('warn');
    expect(layer.evidence?.policy).toEqual({ read: true });
    expect(layer.evidence?.channels.map((channel) => channel.issues)).toEqual([
      ['dmPolicy allowlist with an empty allowFrom (channels.telegram.allowFrom): every DM is dropped', 'probe failed: fetch failed'],
      ['dmPolicy disabled (channels.telegram.accounts.ops.dmPolicy): every DM is ignored'],
    ]);
    expect(JSON.stringify(layer)).not.toContain(BOT_TOKEN);
  });

  it('config.get refused: the policies are said unread, the channel states still reported', () => {
    const layer = channelsLayer(
      { ok: true, durationMs: 5, payload: { channelAccounts: { telegram: [{ accountId: 'default', configured: true, running: false }] }, statusIssues: [] } },
      { startMs: 45, durationMs: 5 },
      5_000,
      { ok: false, durationMs: 2, error: { code: 'FORBIDDEN', message: 'missing scope: operator.read', missingScope: 'operator.read' } },
    );
    expect(layer.evidence?.policy).toEqual({ read: false, detail: 'config.get: FORBIDDEN missing scope: operator.read' });
    expect(layer.evidence?.channels[0]?.issues).toEqual(['configured but not running']);
  });
});

describe("the Gateway's gateway.* settings", () => {
  it('reads bind, port, trustedProxies, tailscale.mode and auth.mode; the token only as its fingerprint', () => {
    const facts = gatewayConfigFacts(
      {
        gateway: {
          bind: 'custom',
          customBindHost: '100.64.1.1',
          port: 18790,
          trustedProxies: ['127.0.0.1/32', '::1/128'],
          tailscale: { mode: 'serve' },
          auth: { mode: 'token', token: GATEWAY_TOKEN },
        },
      },
      tokenFingerprint,
    );
    expect(facts).toEqual({
      bind: 'custom',
      customBindHost: '100.64.1.1',
      port: 18790,
      trustedProxies: ['127.0.0.1/32', '::1/128'],
      tailscaleMode: 'serve',
      authMode: 'token',
      tokenSource: 'config',
      tokenFingerprint: tokenFingerprint(GATEWAY_TOKEN),
    });
    expect(JSON.stringify(facts)).not.toContain(GATEWAY_TOKEN);
  });

  it('a redacted token (config.get), a SecretRef and no token are told apart; hostile values are dropped', () => {
    expect(gatewayConfigFacts({ gateway: { auth: { token: '__OPENCLAW_REDACTED__' } } }).tokenSource).toBe('redacted');
    expect(gatewayConfigFacts({ gateway: { auth: { token: { source: 'env', id: 'OPENCLAW_GATEWAY_TOKEN' } } } }, tokenFingerprint)).toEqual({
      tokenSource: 'secret-ref',
    });
    expect(gatewayConfigFacts({})).toEqual({ tokenSource: 'none' });
    expect(gatewayConfigFacts({ gateway: { bind: '<!channel> lan', port: 99_999, trustedProxies: ['10.0.0.1', 'x'.repeat(200), 7] } })).toEqual({
      trustedProxies: ['10.0.0.1'],
      tokenSource: 'none',
    });
  });

  it('openclaw.json is read as JSON5; unreadable, missing and broken files are values', async () => {
    const files: Record<string, string> = {
      '/etc/openclaw/ok.json': `// OpenClaw writes JSON5\n{ gateway: { bind: 'loopback', auth: { mode: 'token', token: '${GATEWAY_TOKEN}', }, }, }\n`,
      '/etc/openclaw/broken.json': `{ gateway: { token: '${GATEWAY_TOKEN}'\n`,
    };
    const read = async (path: string) => {
      if (path === '/etc/openclaw/secret.json') throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      if (!(path in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[path]!;
    };
    expect(await readGatewayConfig('/etc/openclaw/ok.json', read)).toEqual({
      source: 'file',
      path: '/etc/openclaw/ok.json',
      available: true,
      bind: 'loopback',
      authMode: 'token',
      tokenSource: 'config',
      tokenFingerprint: tokenFingerprint(GATEWAY_TOKEN),
    });
    expect(await readGatewayConfig('/etc/openclaw/secret.json', read)).toEqual({
      source: 'file',
      path: '/etc/openclaw/secret.json',
      available: false,
      reason: 'unreadable (EACCES)',
    });
    expect(await readGatewayConfig('/etc/openclaw/none.json', read)).toEqual({
      source: 'file',
      path: '/etc/openclaw/none.json',
      available: false,
      reason: 'missing',
    });
    const broken = await readGatewayConfig('/etc/openclaw/broken.json', read);
    expect(broken).toMatchObject({ available: false, reason: expect.stringMatching(/^invalid JSON5/) });
    expect(JSON.stringify(broken)).not.toContain(GATEWAY_TOKEN);
  });
});

describe("tailscaled's Serve config (ipn.ServeConfig)", () => {
  const raw = {
    TCP: { '443': { HTTPS: true }, '8443': { TCPForward: '127.0.0.1:18789' } },
    Web: {
      'gw.example-tailnet.ts.net:443': { Handlers: { '/': { Proxy: 'http://127.0.0.1:18789' }, '/docs/': { Path: '/srv/docs' } } },
      'gw.example-tailnet.ts.net:8443': { Handlers: { '/': { Proxy: '18790' } } },
    },
    AllowFunnel: { 'gw.example-tailnet.ts.net:443': true },
    Foreground: { 'session-1': { Web: { 'gw.example-tailnet.ts.net:10000': { Handlers: { '/': { Proxy: 'https+insecure://localhost:18789' } } } } } },
  };

  it('reads every route with its target, port and Funnel, background, foreground and TCP forwards', () => {
    const config = toServeConfig(ServeConfigSchema.parse(raw));
    expect(serveEvidence({ ok: true, value: config }, 18789)).toEqual({
      available: true,
      gatewayPort: 18789,
      routes: [
        {
          hostPort: 'gw.example-tailnet.ts.net:443',
          mount: '/',
          target: 'http://127.0.0.1:18789',
          targetHost: '127.0.0.1',
          targetPort: 18789,
          toGateway: true,
          funnel: true,
        },
        { hostPort: 'gw.example-tailnet.ts.net:443', mount: '/docs/', target: 'path', toGateway: false, funnel: true },
        {
          hostPort: 'gw.example-tailnet.ts.net:8443',
          mount: '/',
          target: '18790',
          targetHost: '127.0.0.1',
          targetPort: 18790,
          toGateway: false,
          funnel: false,
        },
        { hostPort: 'tcp:8443', target: '127.0.0.1:18789', targetHost: '127.0.0.1', targetPort: 18789, toGateway: true, funnel: false },
        {
          hostPort: 'gw.example-tailnet.ts.net:10000',
          mount: '/',
          target: 'https+insecure://localhost:18789',
          targetHost: 'localhost',
          targetPort: 18789,
          toGateway: true,
          funnel: false,
        },
      ],
    });
  });

  it('nothing served is `null`; an error is a value', () => {
    expect(toServeConfig(ServeConfigSchema.parse(null))).toEqual({ entries: [] });
    expect(serveEvidence({ ok: false, error: 'socket-missing', message: 'no socket' }, 18789)).toEqual({
      available: false,
      reason: 'socket-missing',
      gatewayPort: 18789,
      routes: [],
    });
  });

  it('proxy targets in every form Serve accepts', () => {
    expect(parseServeTarget('http://127.0.0.1:18789')).toEqual({ host: '127.0.0.1', port: 18789 });
    expect(parseServeTarget('http://localhost:18789/')).toEqual({ host: 'localhost', port: 18789 });
    expect(parseServeTarget('localhost:3000')).toEqual({ host: 'localhost', port: 3000 });
    expect(parseServeTarget('3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(parseServeTarget('http://[::1]:18789')).toEqual({ host: '::1', port: 18789 });
    expect(parseServeTarget('unix:/run/openclaw.sock')).toEqual({});
  });
});

describe('TLS alert internal_error: the same errno whatever Node API met it', () => {
  it('from https (EPROTO) and from ws (ERR_SSL_*)', () => {
    const alert =
      'error:0A000438:SSL routines:ssl3_read_bytes:tlsv1 alert internal error:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 80';
    expect(netErrorOf(Object.assign(new Error(`write EPROTO ${alert}`), { code: 'EPROTO' }))).toEqual({ kind: 'tls', errno: TLS_ALERT_INTERNAL_ERROR });
    expect(netErrorOf(Object.assign(new Error(alert), { code: 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR' }))).toEqual({
      kind: 'tls',
      errno: TLS_ALERT_INTERNAL_ERROR,
    });
    expect(netErrorOf(Object.assign(new Error('wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toEqual({
      kind: 'tls',
      errno: 'ERR_SSL_WRONG_VERSION_NUMBER',
    });
  });
});
