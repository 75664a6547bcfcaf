import * as z from 'zod';

/**
 * `monitoring:` in clawops.yaml — scheduled checks, the alert policy, history bounds, digests and
 * who may declare maintenance. Every object is strict, so a typo names its path like the rest of
 * the config (`monitoring.alerts.failureTreshold: unknown key (did you mean failureThreshold?)`).
 */

/** A channel id (`C…`, `G…`) or a public channel name (`#ops`): chat.postMessage takes both. */
export const ChannelRefSchema = z.string().regex(/^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,})$/, {
  error: (issue) => `expected a channel id like C012ABCDEF or a name like #ops, got ${JSON.stringify(issue.input)}`,
});

/** Checked with the platform's own time-zone database, so a typo fails at load, not at 09:00. */
export const TimeZoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `expected an IANA time zone like Europe/Berlin or UTC, got ${JSON.stringify(issue.input)}` },
);

const CRON_FIELD = /^[0-9*,/\-A-Za-z?LW#]+$/;
/** Five fields (minute precision) or six (with seconds), as BullMQ's cron parser reads them. */
export const CronSchema = z.string().refine(
  (pattern) => {
    const fields = pattern.trim().split(/\s+/);
    return (fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD.test(field));
  },
  { error: (issue) => `expected a cron pattern like "0 9 * * 1-5" (minute hour day month weekday), got ${JSON.stringify(issue.input)}` },
);

const seconds = z.number().int().min(1).max(86_400);

export const AlertSettingsSchema = z
  .object({
    /** Where alerts go; with none, states and incidents are still tracked (digest, history) but nothing is posted. */
    channel: ChannelRefSchema.optional(),
    /** Failed scheduled checks in a row before a gateway is DOWN (and the alert is posted). */
    failureThreshold: z.number().int().min(1).max(100).default(3),
    /** Successful checks in a row before a DOWN gateway is resolved. */
    successThreshold: z.number().int().min(1).max(100).default(2),
    /** Minimum time between reminders in the alert's thread while it stays DOWN; 0: no reminders. */
    reminderIntervalMinutes: z.number().int().min(0).max(10_080).default(60),
  })
  .strict();
export type AlertSettings = z.infer<typeof AlertSettingsSchema>;

export const HistorySettingsSchema = z
  .object({
    /** Individual results kept per gateway (newest first) … */
    maxEntries: z.number().int().min(10).max(100_000).default(300),
    /** … and no older than this. */
    maxAgeHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24),
    /** Full reports of the most recent failures, kept even when successes push them out of the entries. */
    failureReports: z.number().int().min(0).max(1_000).default(10),
    /** Hourly uptime and handshake roll-ups, incidents and version changes (7 days is the longest view). */
    retentionDays: z.number().int().min(7).max(400).default(8),
  })
  .strict();
export type HistorySettings = z.infer<typeof HistorySettingsSchema>;

export const DigestScheduleSchema = z
  .object({
    cron: CronSchema,
    tz: TimeZoneSchema.default('UTC'),
    channel: ChannelRefSchema,
  })
  .strict();
export type DigestSchedule = z.infer<typeof DigestScheduleSchema>;

/** Maintenance is a write action: only the people named here may declare it. Nobody, when empty. */
export const MaintainersSchema = z
  .object({
    users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'expected a Slack user id like U012ABCDEF' })).default([]),
    /** Slack user group ids (`S…`) or handles (`@oncall`). */
    userGroups: z
      .array(z.string().regex(/^(@[a-z0-9._-]+|S[A-Z0-9]+)$/, { error: 'expected a user group id like S012ABCDEF or a handle like @oncall' }))
      .default([]),
  })
  .strict();
export type Maintainers = z.infer<typeof MaintainersSchema>;

export const MonitoringSchema = z
  .object({
    /** Scheduled checks of every gateway (history, alerts, digests). */
    enabled: z.boolean().default(true),
    /** Default interval between scheduled checks of one gateway (`gateways.<name>.checkIntervalSeconds` overrides). */
    checkIntervalSeconds: seconds.default(60),
    /** Scheduled checks one worker runs at once. */
    concurrency: z.number().int().min(1).max(256).default(16),
    alerts: AlertSettingsSchema.prefault({}),
    history: HistorySettingsSchema.prefault({}),
    digests: z.array(DigestScheduleSchema).max(20).default([]),
    /** How `/gateway history` and `/gateway digest` show times. */
    timeZone: TimeZoneSchema.default('UTC'),
    maintainers: MaintainersSchema.prefault({}),
  })
  .strict();
export type Monitoring = z.infer<typeof MonitoringSchema>;

/** Per gateway: `checkIntervalSeconds`, inserted into GatewayConfigSchema. */
export const CheckIntervalSecondsSchema = seconds.optional();
