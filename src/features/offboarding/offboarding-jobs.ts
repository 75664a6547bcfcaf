import { createHash } from 'node:crypto';
import * as z from 'zod';
import { SubjectSchema, TriggerSchema } from './model.js';

/**
 * The offboarding queue: open a checklist (from a Slack event, a command or the users poll),
 * remind in its thread (delayed jobs), poll the tailnet's users (a job scheduler). Job data holds
 * logins, Slack ids and offboarding ids — never a credential.
 */
export const OFFBOARDING_QUEUE = 'offboarding';

export const OFFBOARDING_JOBS = {
  open: 'open-offboarding',
  remind: 'remind-offboarding',
  pollUsers: 'poll-tailnet-users',
} as const;

export const POLL_SCHEDULER_ID = 'poll-tailnet-users';

export const OpenJobSchema = z
  .object({
    subject: SubjectSchema,
    trigger: TriggerSchema,
    /** Who ran `/gateway offboard`: the checklist is mirrored to their DM. */
    dmTo: z
      .string()
      .regex(/^[UW][A-Z0-9]+$/)
      .optional(),
  })
  .strict();
export type OpenJob = z.infer<typeof OpenJobSchema>;

export const RemindJobSchema = z
  .object({
    id: z.string().regex(/^[a-f0-9-]{8,64}$/),
    /** 1 for the first reminder. */
    n: z.number().int().min(1),
    /** When it is due by the runtime's clock (tests inject one); BullMQ's delay only approximates it. */
    dueAt: z.number().int(),
  })
  .strict();
export type RemindJob = z.infer<typeof RemindJobSchema>;

/** One open job per person at a time (BullMQ ids may not contain ':'). */
export function openJobId(login: string): string {
  return `open-${createHash('sha256').update(login.toLowerCase()).digest('hex').slice(0, 24)}`;
}

export function remindJobId(id: string, n: number): string {
  return `remind-${id}-${n}`;
}
