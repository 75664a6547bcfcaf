import type { DiagnosisContext } from '../diagnosis/diagnose.js';
import type { Diagnosis } from '../diagnosis/verdict.js';
import type { ProbeReport } from '../report/report.js';
import type { Block } from './blocks.js';
import type { SlackText } from './slack-text.js';

/**
 * What other parts of clawops add to a check result at posting time, without the check engine
 * knowing about them: history (a version change the failure began with), offboarding (a token
 * rotated hours ago; the reminder block under every verdict). Each is optional and must not
 * fail a post: a provider that throws is skipped.
 */
export interface CheckEnrichment {
  /** Extra diagnosis context for one gateway's report. */
  contextFor?(report: ProbeReport): Promise<DiagnosisContext>;
  /** Blocks appended after the results (e.g. the open offboarding reminders), with their text. */
  footerFor?(gateways: string[]): Promise<{ blocks: Block[]; text: SlackText } | undefined>;
  /** Lines shown with one gateway's verdict (the fingerprint diff since the last good check). */
  annotationsFor?(report: ProbeReport, diagnosis: Diagnosis): Promise<CheckAnnotation[]>;
}

/** One line beside a verdict, for Slack and for the terminal. */
export interface CheckAnnotation {
  slack: SlackText;
  terminal: string;
}

export async function annotationsOrNone(enrichment: CheckEnrichment | undefined, report: ProbeReport, diagnosis: Diagnosis): Promise<CheckAnnotation[]> {
  try {
    return (await enrichment?.annotationsFor?.(report, diagnosis)) ?? [];
  } catch {
    return [];
  }
}

export async function contextOrEmpty(enrichment: CheckEnrichment | undefined, report: ProbeReport): Promise<DiagnosisContext> {
  try {
    return (await enrichment?.contextFor?.(report)) ?? {};
  } catch {
    return {};
  }
}

export async function footerOrNone(enrichment: CheckEnrichment | undefined, gateways: string[]): Promise<{ blocks: Block[]; text: SlackText } | undefined> {
  try {
    return await enrichment?.footerFor?.(gateways);
  } catch {
    return undefined;
  }
}
