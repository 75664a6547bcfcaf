import type { CheckResult } from '../../check/checker.js';
import type { CheckAnnotation, CheckEnrichment } from '../../render/enrichment.js';
import type { Logger } from '../../log.js';
import { buildFingerprint } from './build.js';
import { sinceLastGood } from './diff.js';
import type { GoodFingerprint } from './model.js';
import { sinceLastGoodSlack, sinceLastGoodTerminal } from './render.js';
import type { FingerprintStore } from './store.js';
import { fingerprintView, type FingerprintView } from './view.js';

/**
 * The success fingerprint (issue 14, item 1): recorded after every check, compared with the last
 * good one beside every verdict that fails or changes it, shown by `/gateway fingerprint` and
 * `clawops fingerprint`. What it contributes:
 * - `record(result)`: for the composition root's result path (never throws);
 * - `enrichment.annotationsFor`: the "since last good (…): …" line beside the verdict;
 * - `view(gateway)`: the current and last good fingerprints and their diff;
 * - `latestFingerprint(gateway)`: the newest good fingerprint, for the change-ticket checklist.
 */
export interface FingerprintFeatureDeps {
  store: FingerprintStore;
  logger?: Logger;
}

export interface FingerprintFeature {
  store: FingerprintStore;
  record(result: CheckResult): Promise<void>;
  enrichment: Required<Pick<CheckEnrichment, 'annotationsFor'>>;
  /** The annotation for one result, as `clawops check` prints it (reads the store, never throws). */
  annotationsFor(result: CheckResult): Promise<CheckAnnotation[]>;
  view(gateway: string): Promise<FingerprintView>;
  latestFingerprint(gateway: string): Promise<GoodFingerprint | undefined>;
}

export function createFingerprintFeature(deps: FingerprintFeatureDeps): FingerprintFeature {
  const { store } = deps;
  const annotationsFor = async ({ report, diagnosis }: CheckResult): Promise<CheckAnnotation[]> => {
    const current = buildFingerprint(report, diagnosis);
    // "Before this check": the result may already be recorded (the worker records, then posts).
    const since = sinceLastGood(current, await store.lastGood(current.gateway, current.at));
    return since ? [{ slack: sinceLastGoodSlack(since), terminal: sinceLastGoodTerminal(since) }] : [];
  };
  return {
    store,
    async record(result) {
      try {
        await store.record(result);
      } catch (error) {
        deps.logger?.warn({ err: error, gateway: result.report.gateway.name }, 'could not record the fingerprint');
      }
    },
    enrichment: { annotationsFor: (report, diagnosis) => annotationsFor({ report, diagnosis }) },
    annotationsFor: (result) => annotationsFor(result).catch(() => []),
    async view(gateway) {
      const [latest, good] = await Promise.all([store.latest(gateway), store.goodHistory(gateway)]);
      return fingerprintView(gateway, latest?.fingerprint, good);
    },
    latestFingerprint: (gateway) => latestFingerprint(store, gateway),
  };
}

/**
 * The newest good fingerprint of a gateway (a check that was up), or `undefined` when none is
 * recorded: what the change ticket's "fingerprint recorded" line reports — `fingerprint.hash`,
 * `fingerprint.build?.version`, and `lastSeenAt` (ms) for how fresh it is.
 */
export async function latestFingerprint(store: Pick<FingerprintStore, 'lastGood'>, gateway: string): Promise<GoodFingerprint | undefined> {
  return store.lastGood(gateway);
}
