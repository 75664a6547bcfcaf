import type { Job } from 'bullmq';
import { OpenJobSchema } from '../src/features/offboarding/offboarding-jobs.js';
import { openOffboarding, type OpenDeps } from '../src/features/offboarding/open.js';
import { invalidJobData } from '../src/queue/job-data.js';

/** Opens one offboarding checklist (retried: the open is idempotent). */
export function createOpenOffboardingProcessor(deps: OpenDeps) {
  return async (job: Job): Promise<{ outcome: string; id?: string }> => {
    const parsed = OpenJobSchema.safeParse(job.data);
    if (!parsed.success) throw invalidJobData('open-offboarding job', parsed.error);
    const outcome = await openOffboarding(deps, parsed.data);
    return { outcome: outcome.kind, ...(outcome.offboarding ? { id: outcome.offboarding.id } : {}) };
  };
}
