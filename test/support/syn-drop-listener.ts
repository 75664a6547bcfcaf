import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

/**
 * A loopback port where TCP connects time out, as they do over a tailnet when the peer's ACL
 * filter or host firewall drops the SYN (the `tailnet-port-blocked` signature). Loopback never
 * drops, so the drop is made the way Linux makes one for real: a listening socket whose accept
 * queue is full. A worker thread listens with a backlog of 1 and then blocks its own event loop
 * (Atomics.wait), so nothing is ever accepted; two connections of ours fill the queue, and the
 * kernel silently drops every further SYN. Linux only (reads the queue from /proc/net/tcp).
 */
export interface SynDropListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer(() => undefined);
server.on('error', (error) => parentPort.postMessage({ error: String(error) }));
server.listen({ host: workerData.host, port: 0, backlog: 1 }, () => {
  parentPort.postMessage({ port: server.address().port });
  // Block this thread's event loop (no CPU) until the test wakes it: nothing gets accepted.
  Atomics.wait(new Int32Array(workerData.wake), 0, 0);
  server.close();
});
`;

/** The accept-queue length of the IPv4 listener on host:port, from /proc/net/tcp. */
async function acceptQueue(host: string, port: number): Promise<number | undefined> {
  const address = host
    .split('.')
    .map(Number)
    .reverse()
    .map((octet) => octet.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  const local = `${address}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[3] === '0A') return Number.parseInt(fields[4]!.split(':')[1]!, 16);
  }
  return undefined;
}

export async function startSynDropListener(host = '127.0.0.1'): Promise<SynDropListener> {
  const wake = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER, { eval: true, workerData: { host, wake } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fillers: Socket[] = [];
  const close = async () => {
    for (const socket of fillers) socket.destroy();
    Atomics.store(new Int32Array(wake), 0, 1);
    Atomics.notify(new Int32Array(wake), 0);
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port?: number; error?: string }) =>
        message.port ? resolve(message.port) : reject(new Error(`syn-drop listener: ${message.error}`)),
      );
      worker.once('error', reject);
    });
    // backlog 1 → the kernel queues two completed connections; ours take both places.
    for (let i = 0; i < 2; i++) {
      const socket = connect({ host, port });
      socket.on('error', () => undefined);
      fillers.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
    }
    // Wait (bounded) until the kernel has both in the accept queue: from then on SYNs are dropped.
    const deadline = Date.now() + 2_000;
    while ((await acceptQueue(host, port)) !== 2) {
      if (Date.now() > deadline) throw new Error('syn-drop listener: the accept queue did not fill');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { host, port, close };
  } catch (error) {
    await close();
    throw error;
  }
}
