import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ROOT } from './build.js';

/** Fake Gateways in their own process (see fake-gateways-child.ts); `stop()` ends it. */
export interface FakeGatewayHost {
  urls: string[];
  pid: number;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./fake-gateways-child.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** `modes`: fake modes given to the gateways in turn (default: all healthy). */
export async function startFakeGatewayHost(count: number, token: string, modes?: readonly string[]): Promise<FakeGatewayHost> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(count), ...(modes?.length ? [modes.join(',')] : [])], {
    cwd: ROOT,
    env: { ...process.env, CLAWOPS_BENCH_GATEWAY_TOKEN: token },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const urls = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake gateways not listening within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`fake gateway host exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { urls: string[] }).urls);
        } catch {
          reject(new Error(`fake gateway host said ${JSON.stringify(line)}; ${stderr}`));
        }
      });
    });
    return { urls, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
