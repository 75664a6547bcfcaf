import type { LayerName, ProbeReport } from '../report/report.js';
import type { Severity, SymptomId } from './symptom-table.js';

/**
 * Each rule reads the report and, when its row applies, returns the evidence resolved to values.
 * Rules are pure and ordered by ladder layer; `blocking` rules explain a failed check, the others
 * add what else is worth knowing (degradation, exposure, versions).
 */
export interface Finding {
  id: SymptomId;
  evidence: string[];
  notes?: string[];
  blocking: boolean;
  /** Overrides the row's severity where the evidence makes it milder or worse. */
  severity?: Severity;
  /** Overrides the row's "suspect first" / "what to do" where the evidence names the cause. */
  suspect?: string;
  do?: string;
  /** The evidence already names one cause: the host's view adds a note instead of re-reading it. */
  decided?: boolean;
  layer?: LayerName | 'exposure' | 'host' | 'version';
}

/** One row's test: the finding when it applies to this report, else undefined. PURE. */
export type Rule = (report: ProbeReport) => Finding | undefined;
