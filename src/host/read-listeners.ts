import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { listeningSockets, parseProcNetTcp, type TcpSocket } from './proc-net-tcp.js';
import type { ReadTextFn } from './read-unit.js';

/**
 * Thin I/O for the listen matrix: the kernel's TCP tables of this network namespace. The paths are
 * fixed here; nothing a job carries can point the agent at another file. A host without IPv6 has no
 * tcp6 table, which is fine. (A Gateway in a container with its own network namespace is not visible
 * here; what the host shows is the published port, e.g. docker-proxy on 0.0.0.0.)
 */

const TABLES = { tcp: '/proc/net/tcp', tcp6: '/proc/net/tcp6' } as const;

export type ListenerReading =
  { available: true; listeners: TcpSocket[]; tcp6: 'ok' | 'missing' } | { available: false; reason: 'no-proc' | 'unreadable'; code?: string };

export async function readListeners(read: ReadTextFn = (path) => readFile(path, 'utf8')): Promise<ListenerReading> {
  const order = endianness();
  let tcp: string;
  try {
    tcp = await read(TABLES.tcp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { available: false, reason: code === 'ENOENT' ? 'no-proc' : 'unreadable', ...(code ? { code } : {}) };
  }
  let tcp6 = '';
  let tcp6State: 'ok' | 'missing' = 'ok';
  try {
    tcp6 = await read(TABLES.tcp6);
  } catch {
    tcp6State = 'missing';
  }
  const listeners = listeningSockets([...parseProcNetTcp(tcp, order), ...parseProcNetTcp(tcp6, order)]);
  return { available: true, listeners, tcp6: tcp6State };
}
