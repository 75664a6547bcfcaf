/**
 * The diagnosis as job data (src/diagnosis/diagnosis-schema.ts): what diagnose() makes survives the
 * trip through Redis (JSON) and parses back equal; what is beyond the bounds, or not a diagnosis,
 * is refused, so the job falls back to diagnosing its report.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { carriedDiagnosis, DIAGNOSIS_TEXT_MAX, DiagnosisSchema } from '../../src/diagnosis/diagnosis-schema.js';
import { authRejected, botNodeOffline, dnsFailure, healthy, tcpFailure } from '../support/monitoring-reports.js';

const reports = {
  healthy: healthy(),
  refused: tcpFailure('refused'),
  timeout: tcpFailure('timeout'),
  unreachable: tcpFailure('unreachable'),
  dns: dnsFailure(),
  'auth rejected': authRejected(),
  'bot node offline': botNodeOffline(),
};

describe('DiagnosisSchema', () => {
  it.each(Object.entries(reports))('a diagnosis of %s parses back from JSON unchanged', (_name, report) => {
    const diagnosis = diagnose(report, { tokenRotatedHoursAgo: 3, versionChange: { from: '2026.9.2', to: '2026.9.6' } });
    expect(DiagnosisSchema.parse(JSON.parse(JSON.stringify(diagnosis)))).toEqual(diagnosis);
    expect(carriedDiagnosis(diagnosis)).toBe(diagnosis);
  });

  it('refuses text beyond the bound, an unknown verdict id, and a state that is not one', () => {
    const diagnosis = diagnose(tcpFailure('refused'));
    const primary = diagnosis.verdicts[0]!;
    const refused = (value: unknown) => !DiagnosisSchema.safeParse(value).success;
    expect(refused({ ...diagnosis, headline: 'x'.repeat(DIAGNOSIS_TEXT_MAX + 1) })).toBe(true);
    expect(refused({ ...diagnosis, verdicts: [{ ...primary, evidence: ['y'.repeat(DIAGNOSIS_TEXT_MAX + 1)] }] })).toBe(true);
    expect(refused({ ...diagnosis, verdicts: [{ ...primary, notes: Array.from({ length: 65 }, () => 'note') }] })).toBe(true);
    expect(refused({ ...diagnosis, verdicts: [{ ...primary, id: 'made-up-by-the-gateway' }] })).toBe(true);
    expect(refused({ ...diagnosis, state: 'fine' })).toBe(true);
    expect(carriedDiagnosis({ ...diagnosis, headline: 'x'.repeat(DIAGNOSIS_TEXT_MAX + 1) })).toBeUndefined();
  });

  it('drops a field it does not know (a worker one release ahead), keeping the rest', () => {
    const diagnosis = diagnose(healthy());
    expect(DiagnosisSchema.parse({ ...diagnosis, confidence: 0.9 })).toEqual(diagnosis);
  });
});
