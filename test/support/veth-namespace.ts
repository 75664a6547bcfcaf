import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';

/**
 * "Another host on the tailnet", made of a network namespace and a veth pair with addresses in
 * 100.64.0.0/10 (Tailscale's CGNAT range): the root namespace keeps `hostAddress` (where a Gateway
 * can bind, `gateway.bind: custom`), the namespace gets `peerAddress`, and a process started with
 * `exec` inside it reaches the Gateway the way a remote node does: not over loopback. Needs root
 * (CAP_NET_ADMIN) and iproute2; names carry the pid so parallel runs never collide, and `close`
 * removes both ends (also after a partial setup).
 */
export interface VethNamespace {
  name: string;
  hostAddress: string;
  peerAddress: string;
  /** Runs a command inside the namespace (`ip netns exec`); never rejects: the exit code is the answer. */
  exec(
    command: string[],
    options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

function run(
  command: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command[0]!,
      command.slice(1),
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && code === null ? error.message : '') });
      },
    );
  });
}

async function must(command: string[]): Promise<void> {
  const result = await run(command);
  if (result.code !== 0)
    throw new Error(`${command.join(' ')} failed (${result.code}): ${result.stderr.trim().slice(0, 300)} — the remote-host topology needs root and iproute2`);
}

export async function createVethNamespace(): Promise<VethNamespace> {
  const tag = `${process.pid}`.slice(-7);
  const name = `clawops-${tag}`;
  const hostLink = `vco${tag}h`;
  const peerLink = `vco${tag}n`;
  // A /24 inside 100.64.0.0/10 picked per run: 100.(64..127).(0..255).{1,2}.
  const subnet = `100.${64 + (process.pid % 64)}.${randomInt(0, 256)}`;
  const hostAddress = `${subnet}.1`;
  const peerAddress = `${subnet}.2`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Deleting the namespace removes its end of the pair, which removes the other end; the second
      // command only matters when setup stopped before the peer moved into the namespace.
      await run(['ip', 'netns', 'del', name]);
      await run(['ip', 'link', 'del', hostLink]);
    })();
    return closing;
  };
  try {
    await must(['ip', 'netns', 'add', name]);
    await must(['ip', 'link', 'add', hostLink, 'type', 'veth', 'peer', 'name', peerLink]);
    await must(['ip', 'link', 'set', peerLink, 'netns', name]);
    await must(['ip', 'addr', 'add', `${hostAddress}/24`, 'dev', hostLink]);
    await must(['ip', 'link', 'set', hostLink, 'up']);
    await must(['ip', 'netns', 'exec', name, 'ip', 'addr', 'add', `${peerAddress}/24`, 'dev', peerLink]);
    await must(['ip', 'netns', 'exec', name, 'ip', 'link', 'set', peerLink, 'up']);
    await must(['ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    name,
    hostAddress,
    peerAddress,
    exec: (command, options = {}) => run(['ip', 'netns', 'exec', name, ...command], options),
    close,
  };
}
