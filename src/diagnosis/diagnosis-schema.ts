import * as z from 'zod';
import { LAYER_ORDER } from '../report/layer-names.js';
import { SEVERITIES, SYMPTOM_IDS } from './symptom-table.js';
import type { Diagnosis, Verdict } from './verdict.js';

/**
 * A diagnosis as job data: the check diagnoses once and the post (or alert) job carries the result
 * (jobs/check-request.ts → jobs/post-check-result.ts, jobs/scheduled-check.ts → jobs/post-alert.ts),
 * so what Slack shows is what history recorded. Bounded like the rest of the job data: every string
 * and list has a ceiling far above what the rules write (the longest runbook text is ~330 characters,
 * evidence lists are cut to a handful), so a diagnosis beyond them is a bug or hostile input, and is
 * not carried (`carriedDiagnosis`): the post job then diagnoses the report again, as old jobs do.
 * Not `.strict()`: a worker one release ahead may add a field, and the poster drops it.
 * Kept apart from verdict.ts so the pure diagnosis never builds a schema.
 */
export const DIAGNOSIS_TEXT_MAX = 4_000;
const LIST_MAX = 64;

const Text = z.string().max(DIAGNOSIS_TEXT_MAX);
const Texts = z.array(Text).max(LIST_MAX);
const LayerNameSchema = z.enum(LAYER_ORDER);
const SymptomIdSchema = z.enum(SYMPTOM_IDS);

export const VerdictSchema = z.object({
  id: SymptomIdSchema,
  severity: z.enum(SEVERITIES),
  title: Text,
  layer: z.union([LayerNameSchema, z.enum(['exposure', 'host', 'version'])]).optional(),
  see: Text,
  suspect: Text,
  do: Text,
  evidence: Texts,
  notes: Texts,
  refines: SymptomIdSchema.optional(),
});

const Version = z.string().max(200);

export const DiagnosisSchema = z.object({
  state: z.enum(['healthy', 'degraded', 'unhealthy']),
  // One verdict per symptom-table row at most: the rules never repeat an id.
  verdicts: z.array(VerdictSchema).max(SYMPTOM_IDS.length),
  failedLayer: LayerNameSchema.optional(),
  suppressed: z.boolean(),
  version: z.object({ running: Version.optional(), expected: Version.optional(), lastKnownGood: Version.optional() }),
  headline: Text,
});

// The schemas and the diagnosis' own types must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const verdictTypesAgree: Same<z.infer<typeof VerdictSchema>, Verdict> = true;
const diagnosisTypesAgree: Same<z.infer<typeof DiagnosisSchema>, Diagnosis> = true;
void verdictTypesAgree;
void diagnosisTypesAgree;

/** The diagnosis, if it fits the job-data bounds (else `undefined`: the receiver diagnoses again). */
export function carriedDiagnosis(diagnosis: Diagnosis): Diagnosis | undefined {
  return DiagnosisSchema.safeParse(diagnosis).success ? diagnosis : undefined;
}
