/**
 * `clawops check` with a `tailscale:` section: the CLI builds the tailnet layers from config (the
 * fake tailscaled's socket) and the exposure probe for gateways with a publicAddress.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/app/cli.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { startFakeTailscaled, type FakeTailscaled } from '../support/fake-tailscaled.js';
import { startSynDropListener, type SynDropListener } from '../support/syn-drop-listener.js';

const TOKEN = 'cli-tailnet-token-0123456789';

describe('clawops check with the tailnet layers', () => {
  let tailscaled: FakeTailscaled;
  let blackholed: SynDropListener;
  let gateway: FakeGateway;
  let exposed: Server;
  let dir: string;
  let configPath: string;

  beforeAll(async () => {
    tailscaled = await startFakeTailscaled();
    blackholed = await startSynDropListener('127.0.0.5');
    tailscaled.setPeer('gw1', { ips: ['127.0.0.5'] });
    gateway = await startFakeGateway({ token: TOKEN });
    exposed = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"status":"live"}'));
    await new Promise<void>((resolve, reject) => {
      exposed.once('error', reject);
      exposed.listen(gateway.port, '127.0.0.2', () => resolve());
    });
    dir = await mkdtemp(join(tmpdir(), 'clawops-cli-tailnet-'));
    configPath = join(dir, 'clawops.yaml');
    await writeFile(
      configPath,
      [
        'tailscale:',
        `  socketPath: ${tailscaled.socketPath}`,
        '  pingTimeoutMs: 500',
        'gateways:',
        '  blocked:',
        `    url: ws://127.0.0.5:${blackholed.port}`,
        '    tokenEnv: CLI_TOKEN',
        '    device: never',
        '    timeouts: { tcpMs: 500, httpMs: 600, upgradeMs: 700, budgetMs: 5000 }',
        '  exposed:',
        `    url: ${gateway.url}`,
        '    tokenEnv: CLI_TOKEN',
        '    device: never',
        '    publicAddress: 127.0.0.2',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => exposed?.close(() => resolve()));
    await gateway?.close();
    await blackholed?.close();
    await tailscaled?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function check(name: string): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const code = await runCli(
      ['check', name, '--config', configPath],
      { CLI_TOKEN: TOKEN, XDG_STATE_HOME: join(dir, 'state') },
      { stdout: (text) => (stdout += text), stderr: () => undefined, isTty: false },
    );
    return { code, stdout };
  }

  it('names the tailnet layer evidence: TSMP ok, TCP times out → tailnet-port-blocked', async () => {
    const { code, stdout } = await check('blocked');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}path\s+ok\s+.*direct via 203\.0\.113\.5:41641/m);
    expect(stdout).toContain('✗ tailnet-port-blocked — Tailnet port blocked (tcp) [error]');
  });

  it('probes the public address: the port answering there is public-exposure, critical', async () => {
    const { code, stdout } = await check('exposed');
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^ {2}exposure\\s+OPEN\\s+.*127\\.0\\.0\\.2:${gateway.port} open$`, 'm'));
    expect(stdout).toContain('✗ public-exposure — PUBLIC EXPOSURE (exposure) [critical]');
    // A loopback gateway is not a tailnet node: its tailnet layers do not apply.
    expect(stdout).toMatch(/^ {2}peer\s+skipped/m);
  });
});
