import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on loopback that makes a link behave like a long one: every chunk, end and reset
 * is handed on half a round trip after it arrived, in each direction, in order. The bench measures
 * with it how many round trips a check costs (`tc netem` needs a kernel module that not every
 * machine has).
 *
 * The TCP handshake between the client and this forwarder cannot be delayed (the kernel answers the
 * SYN before any user code runs), so the first chunk a client sends on a connection is held one
 * more round trip: that is when it would have arrived had the connect taken its round trip. That is
 * exact for a client that writes as soon as it is connected (an HTTP request, a WebSocket upgrade);
 * a bare TCP connect (clawops's `tcp` layer) still completes at once, which no critical path waits on.
 */
export interface LinkDelay {
  port: number;
  rttMs: number;
  close(): Promise<void>;
}

export async function startLinkDelay(target: { host: string; port: number }, rttMs: number): Promise<LinkDelay> {
  const oneWay = rttMs / 2;
  const sockets = new Set<Socket>();
  const forward = (from: Socket, to: Socket, firstExtraMs: number) => {
    let lastAt = 0;
    let extra = firstExtraMs;
    // Delivery times never go backwards: a later chunk may not overtake the held first one.
    const later = (fn: () => void) => {
      const at = Math.max(performance.now() + oneWay + extra, lastAt);
      extra = 0;
      lastAt = at;
      setTimeout(fn, at - performance.now());
    };
    from.on('data', (chunk: Buffer) => later(() => !to.destroyed && to.write(chunk)));
    from.once('end', () => later(() => to.end()));
    from.once('close', () => later(() => to.destroy()));
    from.on('error', () => undefined); // followed by 'close'
  };
  const server: Server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    forward(client, upstream, rttMs);
    forward(upstream, client, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('link delay: no port');
  return {
    port: address.port,
    rttMs,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
