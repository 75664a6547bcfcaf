import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * A tiny UDP DNS server on 127.0.0.1 (port 0) answering A and AAAA from a map: enough of RFC 1035
 * to parse one question and build an answer. A name missing from the map gets NXDOMAIN; a name
 * without records of the asked type gets an empty NOERROR (NODATA), as real servers do.
 */

export type DnsRecords = Record<string, { A?: string[]; AAAA?: string[] }>;

export interface FakeDns {
  /** `127.0.0.1:<port>`, ready for `Resolver.setServers`. */
  server: string;
  queries: Array<{ name: string; type: 'A' | 'AAAA' | number }>;
  setRecords(records: DnsRecords): void;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  for (;;) {
    const length = msg[at];
    if (length === undefined) throw new Error('truncated name');
    if (length === 0) return { name: labels.join('.'), end: at + 1 };
    labels.push(msg.subarray(at + 1, at + 1 + length).toString('ascii'));
    at += 1 + length;
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

function record(type: number, address: string): Buffer {
  const rdata = type === TYPE_A ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(1, 4); // class IN
  rr.writeUInt32BE(60, 6); // TTL
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
}

export function answer(query: Buffer, records: DnsRecords): { response: Buffer; name: string; type: number } {
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const entry = records[name.toLowerCase()];
  const addresses = type === TYPE_A ? (entry?.A ?? []) : type === TYPE_AAAA ? (entry?.AAAA ?? []) : [];
  const valid = addresses.filter((a) => (type === TYPE_A ? isIPv4(a) : isIPv6(a)));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  header.writeUInt16BE(0x8180 | (entry ? 0 : 3), 2); // QR, RD, RA; NXDOMAIN when unknown
  header.writeUInt16BE(1, 4); // one question
  header.writeUInt16BE(valid.length, 6);
  return { response: Buffer.concat([header, question, ...valid.map((a) => record(type, a))]), name, type };
}

export async function startFakeDns(initial: DnsRecords): Promise<FakeDns> {
  let records = lower(initial);
  const socket = createSocket('udp4');
  const queries: FakeDns['queries'] = [];
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    try {
      const { response, name, type } = answer(msg, records);
      queries.push({ name, type: type === TYPE_A ? 'A' : type === TYPE_AAAA ? 'AAAA' : type });
      socket.send(response, from.port, from.address);
    } catch {
      // A datagram we cannot parse gets no answer, like a real server under garbage.
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    setRecords(next) {
      records = lower(next);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function lower(records: DnsRecords): DnsRecords {
  return Object.fromEntries(Object.entries(records).map(([name, value]) => [name.toLowerCase().replace(/\.$/, ''), value]));
}
