/**
 * Parser of the kernel's socket tables, /proc/net/tcp and /proc/net/tcp6. Pure: text in, sockets out.
 *
 * Why /proc and not `ss`/`lsof`: it is always there on Linux, needs no package and no privileges for
 * listening sockets, and the agent never spawns anything it does not have to.
 *
 * Format (one socket per line after a header):
 *   `  0: 0100007F:4A65 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 12345 1 …`
 *   sl  local:port    remote:port   st  tx:rx queues        timer          retrnsmt uid  timeout inode
 * The kernel prints each 32-bit word of the address as a host-order integer (`%08X`), so on a
 * little-endian host every 4-byte group reads reversed: 127.0.0.1 is `0100007F`, and ::1 is
 * `00000000000000000000000001000000`. The port is plain big-endian hex.
 */

export type AddressFamily = 'ipv4' | 'ipv6';
export type Endianness = 'LE' | 'BE';

export interface TcpSocket {
  /** Printable: 127.0.0.1, ::1, 0.0.0.0, ::, 100.101.102.103, ::ffff:1.2.3.4. */
  address: string;
  port: number;
  /** Kernel state name (`LISTEN` for 0A); unknown codes stay as their hex. */
  state: string;
  inode: number;
  uid: number;
  family: AddressFamily;
}

// include/net/tcp_states.h
const STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'NEW_SYN_RECV',
};

const LINE = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+\S+\s+([0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+(\d+)\s+\d+\s+(\d+)/;

/**
 * Every socket row of a /proc/net/tcp or tcp6 text (header and malformed lines are skipped: a
 * partial table is still evidence). The family follows from the address width, not from the file name.
 */
export function parseProcNetTcp(text: string, endianness: Endianness = 'LE'): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, addressHex = '', portHex = '', stateHex = '', uid = '', inode = ''] = m;
    const state = stateHex.toUpperCase();
    sockets.push({
      address: decodeProcAddress(addressHex, endianness),
      port: Number.parseInt(portHex, 16),
      state: STATES[state] ?? state,
      inode: Number(inode),
      uid: Number(uid),
      family: addressHex.length === 8 ? 'ipv4' : 'ipv6',
    });
  }
  return sockets;
}

/** The LISTEN rows only: what answers connections. */
export function listeningSockets(sockets: readonly TcpSocket[]): TcpSocket[] {
  return sockets.filter((s) => s.state === 'LISTEN');
}

/** `0100007F` → `127.0.0.1`; 32 hex digits → an RFC 5952 IPv6 text (v4-mapped shown dotted). */
export function decodeProcAddress(hex: string, endianness: Endianness = 'LE'): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length / 8; word++) {
    const wordBytes = [0, 1, 2, 3].map((i) => Number.parseInt(hex.slice(word * 8 + i * 2, word * 8 + i * 2 + 2), 16));
    bytes.push(...(endianness === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  return bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes);
}

function formatIpv6(bytes: number[]): string {
  const isV4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isV4Mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0));
  // RFC 5952: compress the longest run of two or more zero groups (the first one on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
