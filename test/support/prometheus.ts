import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './redis-server.js';

/**
 * A real Prometheus server (Debian's `prometheus`; `.ci/run` installs it when missing) on a free
 * loopback port, with a generated config and a throwaway storage directory; `stop()` ends exactly
 * that process and removes the directory. `promtool` (the same package) checks rules and expositions.
 */
export interface PrometheusServer {
  url: string;
  /** Instant query: the result vector (labels and value). */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Polls `query` until `accept` says yes, or fails with what was seen last. */
  waitFor(
    expr: string,
    accept: (result: Array<{ metric: Record<string, string>; value: number }>) => boolean,
    timeoutMs?: number,
  ): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  log(): string;
  stop(): Promise<void>;
}

export function prometheusBinary(): string {
  return process.env.CLAWOPS_PROMETHEUS ?? 'prometheus';
}

export function promtool(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.env.CLAWOPS_PROMTOOL ?? 'promtool', args, { input, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}): apt-get install prometheus`);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

export async function startPrometheus(config: {
  scrape_configs: unknown[];
  rule_files?: string[];
  global?: Record<string, unknown>;
}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s', ...config.global },
      ...(config.rule_files ? { rule_files: config.rule_files } : {}),
      scrape_configs: config.scrape_configs,
    }),
  );
  const output: string[] = [];
  const child: ChildProcess = spawn(
    prometheusBinary(),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      '--web.console.templates=',
      '--web.console.libraries=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`prometheus could not start (${spawnError.message}): apt-get install prometheus`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${output.join('').slice(-2000)}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready: ${output.join('').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const query: PrometheusServer['query'] = async (expr) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success' || !body.data) throw new Error(`query ${expr} failed: ${body.error ?? res.status}`);
    return body.data.result.map((item) => ({ metric: item.metric, value: Number(item.value[1]) }));
  };
  return {
    url,
    query,
    async waitFor(expr, accept, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last: Awaited<ReturnType<typeof query>> = [];
      for (;;) {
        last = await query(expr);
        if (accept(last)) return last;
        if (Date.now() > until) throw new Error(`prometheus: ${expr} never matched; last ${JSON.stringify(last)}; log: ${output.join('').slice(-1500)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    log: () => output.join(''),
    stop,
  };
}

/** The scrape config the README documents, for clawops' /probe (blackbox_exporter's relabelling). */
export function probeScrapeConfig(clawops: string, gateways: string[], extra: Record<string, unknown> = {}) {
  return {
    job_name: 'clawops-probe',
    metrics_path: '/probe',
    static_configs: [{ targets: gateways }],
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_gateway' },
      { source_labels: ['__param_gateway'], target_label: 'instance' },
      { target_label: '__address__', replacement: clawops },
    ],
    ...extra,
  };
}
