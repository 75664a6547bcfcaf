import type { ProcReader } from '../../src/host/socket-owners.js';

/**
 * A /proc of chosen processes for the socket-owner search: each with its fd links
 * (`socket:[inode]`), comm, cgroup and cmdline; `unreadable` ones answer EACCES on their fd
 * directory, as another user's process does for an unprivileged agent.
 */
export interface FakeProcess {
  pid: number;
  comm: string;
  cgroup?: string;
  cmdline?: string[];
  /** fd number → link target. */
  fds?: Record<string, string>;
  unreadable?: boolean;
}

const errno = (code: string) => Object.assign(new Error(code), { code });

export function fakeProc(processes: FakeProcess[]): ProcReader & { reads: string[] } {
  const byPid = new Map(processes.map((process) => [String(process.pid), process]));
  const reads: string[] = [];
  return {
    reads,
    async readdir(path) {
      reads.push(path);
      if (path === '/proc') return [...byPid.keys(), 'self', 'net', 'sys'];
      const match = /^\/proc\/(\d+)\/fd$/.exec(path);
      const process = match ? byPid.get(match[1]!) : undefined;
      if (!process) throw errno('ENOENT');
      if (process.unreadable) throw errno('EACCES');
      return Object.keys(process.fds ?? {});
    },
    async readlink(path) {
      const match = /^\/proc\/(\d+)\/fd\/(\d+)$/.exec(path);
      const link = match ? byPid.get(match[1]!)?.fds?.[match[2]!] : undefined;
      if (link === undefined) throw errno('ENOENT');
      return link;
    },
    async readFile(path) {
      reads.push(path);
      const match = /^\/proc\/(\d+)\/(comm|cgroup|cmdline)$/.exec(path);
      const process = match ? byPid.get(match[1]!) : undefined;
      if (!process) throw errno('ENOENT');
      if (match![2] === 'comm') return `${process.comm}\n`;
      if (match![2] === 'cgroup') return process.cgroup ?? '0::/\n';
      return (process.cmdline ?? [process.comm]).join('\0') + '\0';
    },
  };
}
