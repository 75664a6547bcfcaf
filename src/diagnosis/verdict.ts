import type { LayerName } from '../report/report.js';
import type { Severity, SymptomId } from './symptom-table.js';

/** One row of the symptom table, matched against a report and resolved to its values. */
export interface Verdict {
  id: SymptomId;
  severity: Severity;
  title: string;
  /** The layer whose evidence matched (absent for findings outside the ladder). */
  layer?: LayerName | 'exposure' | 'host' | 'version';
  see: string;
  suspect: string;
  do: string;
  /** The evidence that matched, with values: `TCP 100.101.102.103:18789 timeout after 3000 ms`. */
  evidence: string[];
  /** Extra context that changes what to do first (a version change, a recent token rotation). */
  notes: string[];
  refines?: SymptomId;
}

export type GatewayState = 'healthy' | 'degraded' | 'unhealthy';

export interface Diagnosis {
  state: GatewayState;
  /** The decisive verdict first, then the rest by severity. Empty when healthy. */
  verdicts: Verdict[];
  /** The first failed layer, if any. */
  failedLayer?: LayerName;
  /** Gateway verdicts withheld because this node itself is off the tailnet. */
  suppressed: boolean;
  /** Versions, for headers: running (from hello-ok / status) and expectations. */
  version: { running?: string; expected?: string; lastKnownGood?: string };
  /** One line for a header or a notification. */
  headline: string;
}
