import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Which process owns a listening socket: /proc/<pid>/fd links read `socket:[<inode>]`, the inode
 * /proc/net/tcp lists for the listener; /proc/<pid>/cgroup names the systemd unit the process runs
 * in; /proc/<pid>/comm its name. Read-only, fixed paths, no program run. Another user's fds are
 * unreadable to an unprivileged agent: then the socket's uid (from /proc/net/tcp) is what is known.
 * The command line is only tested for "openclaw", never reported (it may carry a --token).
 */

export interface ProcReader {
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  readFile(path: string): Promise<string>;
}

export const nodeProcReader: ProcReader = {
  readdir: (path) => readdir(path),
  readlink: (path) => readlink(path),
  readFile: (path) => readFile(path, 'utf8'),
};

export interface SocketOwner {
  pid: number;
  /** /proc/<pid>/comm: the kernel's name for the process (`node`, `openclaw-gatewa`). */
  process: string;
  /** The systemd unit from the process's cgroup (`openclaw-gateway-test.service`). */
  unit?: string;
  /** The command line names openclaw: an OpenClaw Gateway (or its CLI). */
  openclaw: boolean;
}

export interface OwnerSearch {
  owners: Map<number, SocketOwner>;
  /** Processes whose fds this agent may not read (another user's, without CAP_SYS_PTRACE). */
  unreadable: number;
}

/** The last `*.service` in a cgroup path (v2 `0::/system.slice/x.service`, v1 `1:name=systemd:/…`). */
export function unitFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const units = path.split('/').filter((segment) => segment.endsWith('.service') && !/^user@\d+\.service$/.test(segment));
    if (units.length) return units[units.length - 1];
  }
  return undefined;
}

const MAX_PROCESSES = 4_096;

export async function findSocketOwners(inodes: readonly number[], proc: ProcReader = nodeProcReader): Promise<OwnerSearch> {
  const wanted = new Set(inodes.filter((inode) => inode > 0));
  const owners = new Map<number, SocketOwner>();
  let unreadable = 0;
  if (wanted.size === 0) return { owners, unreadable };
  const pids = (await proc.readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name)).slice(0, MAX_PROCESSES);
  const scan = async (pid: string): Promise<void> => {
    let fds: string[];
    try {
      fds = await proc.readdir(`/proc/${pid}/fd`);
    } catch {
      unreadable++;
      return;
    }
    const links = await Promise.all(fds.map((fd) => proc.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    for (const link of links) {
      const match = /^socket:\[(\d+)\]$/.exec(link);
      const inode = match ? Number(match[1]) : NaN;
      if (!wanted.has(inode) || owners.has(inode)) continue;
      owners.set(inode, await describe(Number(pid), proc));
    }
  };
  // A few processes at a time: a host has hundreds, and each is a handful of small reads.
  for (let i = 0; i < pids.length && owners.size < wanted.size; i += SCAN_BATCH) await Promise.all(pids.slice(i, i + SCAN_BATCH).map(scan));
  return { owners, unreadable };
}

const SCAN_BATCH = 16;

async function describe(pid: number, proc: ProcReader): Promise<SocketOwner> {
  const [comm, cgroup, cmdline] = await Promise.all([
    proc.readFile(`/proc/${pid}/comm`).catch(() => ''),
    proc.readFile(`/proc/${pid}/cgroup`).catch(() => ''),
    proc.readFile(`/proc/${pid}/cmdline`).catch(() => ''),
  ]);
  const unit = unitFromCgroup(cgroup);
  return { pid, process: comm.trim().slice(0, 64) || '?', ...(unit ? { unit } : {}), openclaw: /openclaw/i.test(cmdline) || /openclaw/i.test(unit ?? '') };
}

/** uid → login from /etc/passwd text. */
export function userNames(passwd: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of passwd.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid)) names.set(Number(uid), name);
  }
  return names;
}
