import * as z from 'zod';

/**
 * One offboarding as stored in Redis: who left, what they could still reach, and what has been
 * done about each item, by whom and when. Names only — logins, device names, gateway names —
 * never a token or a key. Read back through these schemas (a record from an older build or a
 * hand edit is refused, not trusted).
 */

const done = { by: z.string().max(32).optional(), at: z.number().int().optional(), note: z.string().max(300).optional() };

export const DeviceItemSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(255),
  os: z.string().max(64).optional(),
  lastSeen: z.string().max(64).optional(),
  tags: z.array(z.string().max(128)).max(50).default([]),
  /**
   * open: still on the tailnet · deleted: by an approver · gone: already removed elsewhere ·
   * kept: re-tagged or re-owned since, so not this person's any more · tagged: belongs to its
   * tags from the start (survives the person; shown for review, never deleted from here).
   */
  status: z.enum(['open', 'deleted', 'gone', 'kept', 'tagged']),
  ...done,
});
export type DeviceItem = z.infer<typeof DeviceItemSchema>;

export const GroupItemSchema = z.object({
  name: z.string().min(1).max(200),
  /** open · applied (through clawops) · removed (found gone from the policy: applied elsewhere). */
  status: z.enum(['open', 'applied', 'removed']),
  ...done,
});
export type GroupItem = z.infer<typeof GroupItemSchema>;

export const GatewayItemSchema = z.object({
  name: z.string().min(1).max(63),
  status: z.enum(['open', 'rotated']),
  ...done,
});
export type GatewayItem = z.infer<typeof GatewayItemSchema>;

export const TriggerSchema = z.object({
  kind: z.enum(['slack-user-deleted', 'command', 'tailnet-poll']),
  /** Who ran the command. */
  by: z.string().max(32).optional(),
  detail: z.string().max(200).optional(),
});
export type Trigger = z.infer<typeof TriggerSchema>;

export const SlackLocationSchema = z.object({ channel: z.string().min(1).max(32), ts: z.string().regex(/^\d+\.\d+$/) });
export type SlackLocation = z.infer<typeof SlackLocationSchema>;

/** Who left: their tailnet login, and how Slack knows them. */
export const SubjectSchema = z.object({
  login: z.string().min(1).max(200),
  slackUserId: z.string().max(32).optional(),
  email: z.string().max(200).optional(),
  displayName: z.string().max(200).optional(),
});

export const OffboardingSchema = z.object({
  id: z.string().regex(/^[a-f0-9-]{8,64}$/),
  subject: SubjectSchema,
  trigger: TriggerSchema,
  openedAt: z.number().int(),
  closed: z.object({ by: z.string().max(32), at: z.number().int(), openItems: z.number().int() }).optional(),
  devices: z.array(DeviceItemSchema).max(2_000),
  groups: z.array(GroupItemSchema).max(500),
  /** Reported for a person to decide: tags they own, tests and rules that name them. */
  review: z.object({
    tagOwners: z.array(z.string().max(200)).max(500),
    tests: z.array(z.string().max(300)).max(500),
    acls: z.number().int(),
    grants: z.number().int(),
  }),
  gateways: z.array(GatewayItemSchema).max(500),
  /** What could not be gathered (the admin API down, a policy that does not parse). */
  problems: z.array(z.string().max(300)).max(20).default([]),
  /** The channel prompt is the thread everything is said in; the DM mirrors it. */
  prompt: SlackLocationSchema.optional(),
  mirrors: z.array(SlackLocationSchema).max(5).default([]),
  deletions: z.number().int().min(0).default(0),
  reminders: z.object({ sent: z.number().int().min(0), lastAt: z.number().int().optional() }).default({ sent: 0 }),
  /**
   * Set while the open job has steps left after storing the record (the prompt, the first
   * reminder, the "opened" audit entry), cleared by the write that finishes it: a retried job
   * finishes those steps instead of taking the open checklist for someone else's. Absent on
   * records of older builds, which are taken as finished.
   */
  opening: z.literal(true).optional(),
});
export type Offboarding = z.infer<typeof OffboardingSchema>;

/** What is still to do. Tagged devices and review lines are not items: a person decides those. */
export interface OpenItems {
  devices: DeviceItem[];
  groups: GroupItem[];
  gateways: GatewayItem[];
  total: number;
}

export function openItems(offboarding: Offboarding): OpenItems {
  const devices = offboarding.devices.filter((device) => device.status === 'open');
  const groups = offboarding.groups.filter((group) => group.status === 'open');
  const gateways = offboarding.gateways.filter((gateway) => gateway.status === 'open');
  return { devices, groups, gateways, total: devices.length + groups.length + gateways.length };
}

export function isOpen(offboarding: Offboarding): boolean {
  return offboarding.closed === undefined;
}
