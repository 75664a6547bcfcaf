import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessListeners } from '../../src/host/listener-matrix.js';
import { readListeners } from '../../src/host/read-listeners.js';

/**
 * The listen matrix against the live kernel table: real listeners on 127.0.0.1 and on 127.0.0.2
 * (Linux routes all of 127/8 to lo, so no setup is needed), port 0 so runs never collide.
 */
const listen = (host: string) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe.skipIf(process.platform !== 'linux')('live /proc/net/tcp', () => {
  const servers: Server[] = [];
  let gateway: Server; // 127.0.0.1: the Gateway's own loopback bind
  let stray: Server; // 127.0.0.2: anything that is not the Gateway's bind counts as a violation
  let ipv6: Server | undefined;

  beforeAll(async () => {
    gateway = await listen('127.0.0.1');
    stray = await listen('127.0.0.2');
    servers.push(gateway, stray);
    ipv6 = await listen('::1').catch(() => undefined); // a host without IPv6 skips that part
    if (ipv6) servers.push(ipv6);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('finds both listeners with their addresses', async () => {
    const reading = await readListeners();
    if (!reading.available) throw new Error(`proc not available: ${reading.reason}`);
    expect(reading.listeners).toContainEqual(expect.objectContaining({ address: '127.0.0.1', port: portOf(gateway), state: 'LISTEN', family: 'ipv4' }));
    expect(reading.listeners).toContainEqual(expect.objectContaining({ address: '127.0.0.2', port: portOf(stray), state: 'LISTEN', family: 'ipv4' }));
    if (ipv6) expect(reading.listeners).toContainEqual(expect.objectContaining({ address: '::1', port: portOf(ipv6), family: 'ipv6' }));
  });

  it('the 127.0.0.1 listener is allowed, the 127.0.0.2 one is a violation', async () => {
    const reading = await readListeners();
    if (!reading.available) throw new Error(`proc not available: ${reading.reason}`);
    const ok = assessListeners(reading.listeners, { port: portOf(gateway), bind: 'loopback', tailnetAddresses: [] });
    expect(ok).toEqual({ port: portOf(gateway), listening: true, bound: ['127.0.0.1'], allowed: ['127.0.0.1'], violations: [] });

    const bad = assessListeners(reading.listeners, { port: portOf(stray), bind: 'loopback', tailnetAddresses: [] });
    expect(bad.listening).toBe(true);
    expect(bad.allowed).toEqual([]);
    expect(bad.violations).toEqual([
      expect.objectContaining({ address: '127.0.0.2', port: portOf(stray), symptom: 'bind-not-loopback', kind: 'other-loopback' }),
    ]);
  });

  it('a closed port is not listening', async () => {
    const closed = await listen('127.0.0.1');
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const reading = await readListeners();
    if (!reading.available) throw new Error(`proc not available: ${reading.reason}`);
    expect(assessListeners(reading.listeners, { port, bind: 'loopback', tailnetAddresses: [] }).listening).toBe(false);
  });
});
