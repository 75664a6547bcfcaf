import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProbeTarget } from '../../config/sections/metrics.js';
import { diagnose } from '../../diagnosis/diagnose.js';
import type { Logger } from '../../log.js';
import type { ProbeReport } from '../../report/report.js';
import type { CheckResult } from '../../check/checker.js';
import { parseProbeParams } from './probe-params.js';
import { renderProbe } from './probe-exposition.js';

/**
 * `GET /probe?gateway=prod`: one check now, answered in blackbox_exporter's shape. A gateway's check
 * goes through the coalescer (a /probe, a person's `/gateway check` and the schedule within the
 * window share one probe); the same gateway or target asked again while it runs shares that run.
 * At most `maxConcurrent` distinct checks run at once: past that the answer is 503 (Prometheus counts
 * a failed scrape, `up == 0`), so a scrape storm cannot turn clawops into a load generator.
 */
export interface Prober {
  gateway(name: string): Promise<ProbeReport>;
  target(target: ProbeTarget): Promise<ProbeReport>;
}

export interface ProbeEndpointDeps {
  gateways: readonly string[];
  targets: readonly ProbeTarget[];
  maxConcurrent: number;
  /** Undefined in a process that runs no checks (`clawops bot`). */
  prober: () => Prober | undefined;
  /** The check, with the one diagnosis the answer is rendered from. */
  onAnswered?: (result: CheckResult) => void;
  logger: Logger;
}

export function createProbeEndpoint(deps: ProbeEndpointDeps) {
  const running = new Map<string, Promise<ProbeReport>>();
  const text = (res: ServerResponse, status: number, body: string) =>
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(body);

  return async function handleProbe(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parsed = parseProbeParams(url.searchParams, { gateways: deps.gateways, targets: deps.targets });
    if (!parsed.ok) {
      text(res, parsed.status, parsed.body);
      return;
    }
    const prober = deps.prober();
    if (!prober) {
      text(res, 503, 'this process runs no checks (clawops bot): point /probe at clawops start or a clawops worker\n');
      return;
    }
    const { request } = parsed;
    const key = request.kind === 'gateway' ? `gateway:${request.gateway}` : `target:${request.target.url}`;
    let check = running.get(key);
    if (!check) {
      if (running.size >= deps.maxConcurrent) {
        text(res, 503, `too many /probe checks at once (metrics.probe.maxConcurrent: ${deps.maxConcurrent}); retry on the next scrape\n`);
        return;
      }
      check = (request.kind === 'gateway' ? prober.gateway(request.gateway) : prober.target(request.target)).finally(() => running.delete(key));
      running.set(key, check);
    }
    let report: ProbeReport;
    try {
      report = await check;
    } catch (error) {
      deps.logger.error({ err: error, probe: request.kind === 'gateway' ? request.gateway : 'target' }, '/probe: the check failed inside clawops');
      text(res, 500, 'the check failed inside clawops (see its log)\n');
      return;
    }
    // The /probe check's one diagnosis: the exposition and the metrics hooks both read it.
    const diagnosis = diagnose(report);
    deps.onAnswered?.({ report, diagnosis });
    const { contentType, body } = await renderProbe(report, diagnosis);
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  };
}
