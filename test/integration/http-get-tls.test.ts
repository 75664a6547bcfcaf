/**
 * The HTTP health probe over TLS: SNI carries a host name, never an IP address (RFC 6066; Node
 * warns DEP0123 when it is given one). Against a real HTTPS server on loopback.
 */
import { createServer, type Server } from 'node:https';
import { connect, type AddressInfo, type LookupFunction, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOver, httpGet } from '../../src/probes/http-get.js';
import { TEST_TLS } from '../support/fake-gateway.js';

/** `localhost` → 127.0.0.1 only (the server listens there), in both of the shapes Node asks for. */
const loopbackLookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

let server: Server;
let port = 0;
const seenServernames: Array<string | false | null> = [];
/** TCP connections the server accepted (the given socket is one, made before counting starts). */
let connections = 0;
beforeAll(async () => {
  server = createServer({ key: TEST_TLS.key, cert: TEST_TLS.cert }, (req, res) => {
    seenServernames.push((req.socket as TLSSocket).servername);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpGet over TLS', () => {
  it('to an IP address: no servername is sent and Node has nothing to warn about (DEP0123)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const evidence = await httpGet(new URL(`wss://127.0.0.1:${port}`), '/healthz', { timeoutMs: 3_000, tls: { ca: TEST_TLS.cert } });
      expect(evidence).toMatchObject({ path: '/healthz', status: 200 });
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => /DEP0123|servername/i.test(`${(warning as { code?: string }).code ?? ''} ${warning.message}`))).toEqual([]);
    expect(seenServernames.at(-1)).toBe(false);
  });

  it('to a name: the name is the servername (and the certificate is checked against it)', async () => {
    const evidence = await httpGet(new URL(`wss://localhost:${port}`), '/healthz', { timeoutMs: 3_000, tls: { ca: TEST_TLS.cert }, lookup: loopbackLookup });
    expect(evidence).toMatchObject({ path: '/healthz', status: 200 });
    expect(seenServernames.at(-1)).toBe('localhost');
  });

  it("over a TCP connection already open (the ladder's TCP layer): TLS on it, the name as servername, the certificate checked, two requests on it", async () => {
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
        socket.once('error', reject);
      });
    const base = new URL(`wss://localhost:${port}`);
    const given = await open();
    const agent = agentOver(base, given);
    const before = connections;
    try {
      for (const path of ['/healthz', '/readyz']) {
        const evidence = await httpGet(base, path, { timeoutMs: 3_000, tls: { ca: TEST_TLS.cert }, agent });
        expect(evidence).toMatchObject({ path, status: 200, json: { ok: true } });
        expect(seenServernames.at(-1)).toBe('localhost');
      }
      expect(connections - before).toBe(0);
    } finally {
      agent.destroy();
    }
    // Without the CA, the same server's certificate is refused: the given socket does not skip verification.
    const refusing = agentOver(base, await open());
    try {
      const refused = await httpGet(base, '/healthz', { timeoutMs: 3_000, agent: refusing });
      expect(refused.error).toBeDefined();
      expect(refused.status).toBeUndefined();
    } finally {
      refusing.destroy();
    }
  });
});
