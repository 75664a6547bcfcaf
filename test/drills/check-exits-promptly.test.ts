import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DIST_CLI, ROOT } from '../../bench/support/build.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';

/**
 * Issue 16: `clawops check` exits as soon as its report is printed — it does not wait for the
 * WebSocket close handshake. The Gateway sits behind a forwarder that swallows everything the
 * Gateway sends after the client's close frame (its close echo, its FIN): the close handshake
 * never completes. The bin must still exit, with the complete report, and still holding the
 * WebSocket's TCP connection at exit (seen by a hook that lists the process's open resources on
 * exit): that is "exited before the close handshake completed", an event, not a time.
 */

const HOOK = fileURLToPath(new URL('./support/active-resources-on-exit.mjs', import.meta.url));
const TOKEN = 'prompt-exit-token-3f9c1a';

interface CloseSwallower {
  port: number;
  /** The client sent a WebSocket close frame. */
  clientClosed: boolean;
  /** Bytes the Gateway sent after that, never forwarded. */
  swallowedBytes: number;
  close(): Promise<void>;
}

/** Forwards client↔gateway; parses the client's frames after its upgrade request to see its close frame. */
async function startCloseSwallower(target: number): Promise<CloseSwallower> {
  const sockets = new Set<Socket>();
  const state = { clientClosed: false, swallowedBytes: 0 };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
    }
    let pending = Buffer.alloc(0);
    let upgraded = false;
    let sawClose = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!/^GET [^\r]*\r\n(?:[^\r]*\r\n)*?upgrade: *websocket/i.test(pending.subarray(0, end).toString('latin1'))) return; // a plain HTTP request
        upgraded = true;
        pending = pending.subarray(end + 4);
      }
      // RFC 6455 frames, client to server (always masked).
      while (pending.length >= 2) {
        const opcode = pending[0]! & 0x0f;
        let length = pending[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (pending.length < 4) return;
          length = pending.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (pending.length < 10) return;
          length = Number(pending.readBigUInt64BE(2));
          offset = 10;
        }
        if (pending.length < offset + 4 + length) return;
        if (opcode === 0x8) {
          sawClose = true;
          state.clientClosed = true;
        }
        pending = pending.subarray(offset + 4 + length);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (sawClose) state.swallowedBytes += chunk.length;
      else client.write(chunk);
    });
    client.once('end', () => upstream.end());
    // The Gateway's FIN after its close echo is swallowed too: only the client may end this connection.
    upstream.once('end', () => {
      if (!sawClose) client.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    get clientClosed() {
      return state.clientClosed;
    },
    get swallowedBytes() {
      return state.swallowedBytes;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let gateway: FakeGateway | undefined;
let swallower: CloseSwallower | undefined;
let dir: string | undefined;

afterEach(async () => {
  await swallower?.close();
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  swallower = gateway = dir = undefined;
});

describe('clawops check (the shipped bin)', () => {
  it('exits with the complete report before the Gateway’s close handshake completes', async () => {
    gateway = await startFakeGateway({ token: TOKEN });
    swallower = await startCloseSwallower(gateway.port);
    dir = mkdtempSync(join(tmpdir(), 'clawops-prompt-exit-'));
    const resources = join(dir, 'resources');
    const child = spawn(
      process.execPath,
      ['--import', HOOK, DIST_CLI, 'check', '--url', `ws://127.0.0.1:${swallower.port}`, '--token-env', 'CLAWOPS_TEST_TOKEN'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          CLAWOPS_IDENTITY: join(dir, 'device.json'),
          CLAWOPS_TEST_TOKEN: TOKEN,
          CLAWOPS_TEST_RESOURCES_FILE: resources,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // The whole report, flushed: the header, every layer row, the summary line.
    expect(stdout).toMatch(/^adhoc\s+ws:\/\/127\.0\.0\.1:\d+\s+HEALTHY/);
    for (const layer of ['dns', 'tcp', 'http', 'upgrade', 'handshake', 'health', 'status', 'channels'])
      expect(stdout).toMatch(new RegExp(`^\\s+${layer}\\s+ok`, 'm'));
    expect(stdout).toMatch(/✓ adhoc healthy/);
    // The close was begun, its echo never reached the client, and the socket was still open at exit.
    expect(swallower.clientClosed).toBe(true);
    expect(swallower.swallowedBytes).toBeGreaterThan(0);
    expect(readFileSync(resources, 'utf8').split('\n')).toContain('TCPSocketWrap');
  });
});
