import type { CheckTarget } from '../config/targets.js';
import { diagnose, type DiagnosisContext } from '../diagnosis/diagnose.js';
import type { Diagnosis } from '../diagnosis/verdict.js';
import { runLadder, type LadderDeps } from '../probes/ladder.js';
import type { ProbeReport } from '../report/report.js';

export interface CheckResult {
  report: ProbeReport;
  diagnosis: Diagnosis;
}

export interface Checker {
  /**
   * The ladder alone, undiagnosed: for callers that add to the report first (the host agent's view,
   * src/check/joint-check.ts) or diagnose it once further on, with context (jobs/check-request.ts).
   */
  probe(target: CheckTarget, options?: { signal?: AbortSignal }): Promise<ProbeReport>;
  /** probe → diagnose, for a caller that has everything the diagnosis needs now (the terminal). */
  check(target: CheckTarget, options?: { signal?: AbortSignal; context?: DiagnosisContext }): Promise<CheckResult>;
  /** Many gateways with bounded concurrency; results in the order of `targets`. */
  checkMany(targets: CheckTarget[], options?: { concurrency?: number; signal?: AbortSignal }): Promise<CheckResult[]>;
}

/** probe → report (→ diagnose): the engine the terminal, the worker and the scheduler share. */
export function createChecker(deps: LadderDeps): Checker {
  const probe: Checker['probe'] = (target, options = {}) => runLadder(target, deps, { signal: options.signal });
  const check: Checker['check'] = async (target, options = {}) => {
    const report = await probe(target, options);
    return { report, diagnosis: diagnose(report, options.context) };
  };
  return {
    probe,
    check,
    async checkMany(targets, options = {}) {
      const concurrency = Math.max(1, options.concurrency ?? 16);
      const results = new Array<CheckResult>(targets.length);
      let next = 0;
      const lane = async () => {
        while (next < targets.length) {
          const index = next++;
          results[index] = await check(targets[index]!, { signal: options.signal });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, lane));
      return results;
    },
  };
}
