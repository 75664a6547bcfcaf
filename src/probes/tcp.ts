import { connect } from 'node:net';
import type { LayerOf } from '../report/report.js';
import { netErrorOf } from '../report/net-error.js';
import { roundMs, type MonotonicClock } from './clock.js';

/** Opens and closes one TCP connection: proves something listens on address:port. */
export function probeTcp(
  address: string,
  port: number,
  options: { timeoutMs: number; startMs: number; clock: MonotonicClock; signal?: AbortSignal },
): Promise<LayerOf<'tcp'>> {
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
      socket.destroy();
      resolve({ layer: 'tcp', startMs: options.startMs, durationMs: roundMs(options.clock() - t0), ...result });
    };
    const timer = setTimeout(
      () => finish({ status: 'failed', summary: `${target} timeout after ${options.timeoutMs} ms`, evidence: { address, port, error: 'timeout' } }),
      options.timeoutMs,
    );
    const onAbort = () => finish({ status: 'failed', summary: `${target} aborted (check budget spent)`, evidence: { address, port, error: 'aborted' } });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ status: 'ok', summary: `${target} connected`, evidence: { address, port } }));
    socket.once('error', (error) => {
      const { kind, errno } = netErrorOf(error);
      finish({ status: 'failed', summary: `${target} ${kind === 'refused' ? 'refused' : (errno ?? kind)}`, evidence: { address, port, error: kind, errno } });
    });
  });
}
