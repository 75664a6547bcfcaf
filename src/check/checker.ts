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
  check(target: CheckTarget, options?: { signal?: AbortSignal; context?: DiagnosisContext }): Promise<CheckResult>;
  /** Many gateways with bounded concurrency; results in the order of `targets`. */
  checkMany(targets: CheckTarget[], options?: { concurrency?: number; signal?: AbortSignal }): Promise<CheckResult[]>;
}

/** probe → report → diagnose: the engine the terminal, the worker and the scheduler share. */
export function createChecker(deps: LadderDeps): Checker {
  const check: Checker['check'] = async (target, options = {}) => {
    const report = await runLadder(target, deps, { signal: options.signal });
    return { report, diagnosis: diagnose(report, options.context) };
  };
  return {
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
