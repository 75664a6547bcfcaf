import { isIP, type LookupFunction } from 'node:net';
import { lookup as systemLookup } from 'node:dns/promises';
import type { LayerOf } from '../report/report.js';
import { netErrorOf } from '../report/net-error.js';
import { roundMs, type MonotonicClock } from './clock.js';

export type Lookup = (host: string) => Promise<string[]>;

export const lookupAll: Lookup = async (host) => (await systemLookup(host, { all: true, order: 'ipv4first' })).map((entry) => entry.address);

/**
 * A `Lookup` as Node's socket `lookup` option, so that the HTTP layer resolves the gateway's host
 * through the same resolver as the dns layer when one is injected (tests: a fake DNS on loopback).
 */
export function toNodeLookup(lookup: Lookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = addresses.filter((address) => family === 0 || isIP(address) === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname}: no addresses`), { code: 'ENOTFOUND' }), '', 4);
        if (options.all)
          return (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(
            null,
            usable.map((address) => ({ address, family: isIP(address) })),
          );
        callback(null, usable[0]!, isIP(usable[0]!));
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
}

/** Resolves the gateway's host the way the WebSocket will (the system resolver). */
export async function probeDns(host: string, options: { timeoutMs: number; startMs: number; clock: MonotonicClock; lookup?: Lookup }): Promise<LayerOf<'dns'>> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) {
    return {
      layer: 'dns',
      status: 'ok',
      startMs: options.startMs,
      durationMs: 0,
      summary: `${bare} (address literal)`,
      evidence: { host: bare, literal: true, addresses: [bare] },
    };
  }
  const t0 = options.clock();
  const lookup = options.lookup ?? lookupAll;
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(bare),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('dns timeout'), { code: 'ETIMEDOUT' })), options.timeoutMs);
      }),
    ]);
    const durationMs = roundMs(options.clock() - t0);
    if (addresses.length === 0) {
      return {
        layer: 'dns',
        status: 'failed',
        startMs: options.startMs,
        durationMs,
        summary: `${bare}: no addresses`,
        evidence: { host: bare, literal: false, addresses: [], error: 'ENODATA' },
      };
    }
    return {
      layer: 'dns',
      status: 'ok',
      startMs: options.startMs,
      durationMs,
      summary: `${bare} → ${addresses.join(', ')}`,
      evidence: { host: bare, literal: false, addresses },
    };
  } catch (error) {
    const { errno, kind } = netErrorOf(error);
    const why =
      kind === 'timeout' ? `no answer within ${options.timeoutMs} ms` : errno === 'ENOTFOUND' ? 'name not found (NXDOMAIN)' : (errno ?? 'lookup failed');
    return {
      layer: 'dns',
      status: 'failed',
      startMs: options.startMs,
      durationMs: roundMs(options.clock() - t0),
      summary: `${bare}: ${why}`,
      evidence: { host: bare, literal: false, addresses: [], error: errno ?? kind },
    };
  } finally {
    clearTimeout(timer);
  }
}
