import { connect, type Socket } from 'node:net';
import type { LayerOf } from '../report/report.js';
import { netErrorOf } from '../report/net-error.js';
import { roundMs, type MonotonicClock } from './clock.js';

export interface TcpOptions {
  timeoutMs: number;
  startMs: number;
  clock: MonotonicClock;
  signal?: AbortSignal;
}

/** Opens and closes one TCP connection: proves something listens on address:port. */
export async function probeTcp(address: string, port: number, options: TcpOptions): Promise<LayerOf<'tcp'>> {
  const { layer, socket } = await connectTcp(address, port, options);
  socket?.destroy();
  return layer;
}

/**
 * The TCP layer, and on success the connected socket, handed on to the caller (who must end it):
 * the ladder sends `/healthz`, then `/readyz`, over it, so a check opens two connections, not four.
 * On failure there is no socket.
 */
export function connectTcp(address: string, port: number, options: TcpOptions): Promise<{ layer: LayerOf<'tcp'>; socket?: Socket }> {
  const t0 = options.clock();
  const target = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let settled = false;
    const finish = (result: Omit<LayerOf<'tcp'>, 'layer' | 'startMs' | 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const layer = { layer: 'tcp' as const, startMs: options.startMs, durationMs: roundMs(options.clock() - t0), ...result };
      if (result.status !== 'ok') {
        socket.destroy();
        resolve({ layer });
        return;
      }
      // onError stays: an error before the new owner listens must not be an unhandled 'error' event.
      resolve({ layer, socket });
    };
    const timer = setTimeout(
      () => finish({ status: 'failed', summary: `${target} timeout after ${options.timeoutMs} ms`, evidence: { address, port, error: 'timeout' } }),
      options.timeoutMs,
    );
    const onAbort = () => finish({ status: 'failed', summary: `${target} aborted (check budget spent)`, evidence: { address, port, error: 'aborted' } });
    const onError = (error: Error) => {
      const { kind, errno } = netErrorOf(error);
      finish({ status: 'failed', summary: `${target} ${kind === 'refused' ? 'refused' : (errno ?? kind)}`, evidence: { address, port, error: kind, errno } });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ status: 'ok', summary: `${target} connected`, evidence: { address, port } }));
    socket.on('error', onError);
  });
}
