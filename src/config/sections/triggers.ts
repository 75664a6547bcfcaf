import * as z from 'zod';

/**
 * `triggers:` in clawops.yaml — incident triggers: in the channels listed here (opt-in, one by
 * one), a message that matches a runbook symptom gets one threaded reply with the row and a Check
 * button (src/features/triggers/). Absent, or no channels: the bot reads no channel messages.
 */
const CHANNEL = /^(?:[CG][A-Z0-9]{2,30}|#[a-z0-9][a-z0-9._-]{0,79})$/;

export const TriggersConfigSchema = z
  .object({
    channels: z
      .array(
        z.string().regex(CHANNEL, { error: (issue) => `expected a channel id (C…, G… for a private channel) or #name, got ${JSON.stringify(issue.input)}` }),
      )
      .min(1)
      .max(100),
    /** At most one reply per channel within this many seconds (a burst of pastes gets one answer). */
    channelCooldownSeconds: z.number().int().min(0).max(86_400).default(60),
    /** At most one reply per thread within this many seconds (the incident's thread is answered once). */
    threadCooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(3_600),
  })
  .strict();
export type TriggersConfig = z.infer<typeof TriggersConfigSchema>;
