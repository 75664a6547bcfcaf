import * as z from 'zod';

/**
 * `offboarding:` in clawops.yaml — when someone leaves, clawops walks the team through revoking
 * their tailnet access and the gateway tokens they could read. Absent: no offboarding at all.
 *
 * The Tailscale admin API (devices, users, the policy file) is the one in `tailscale.adminApi`
 * (src/config/sections/tailscale.ts), shared with the ACL audit; without it the checklist still
 * lists the gateway tokens to rotate. No secret lives in this section.
 */

const slackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'expected a Slack user id like U012ABCDEF' });
/** A channel id (`C…`, `G…`) or `#name`. */
const channel = z.string().regex(/^([CG][A-Z0-9]+|#[a-z0-9][a-z0-9._-]{0,79})$/, {
  error: (issue) => `expected a channel id like C012ABCDEF or #name, got ${JSON.stringify(issue.input)}`,
});
const gatewayName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);

export const TokenAccessSchema = z
  .object({
    /** Policy groups (`group:ops`) or logins whose members could read these gateways' tokens. */
    groups: z.array(z.string().min(1)).min(1),
    gateways: z.union([z.literal('*'), z.array(gatewayName).min(1)]),
  })
  .strict();
export type TokenAccess = z.infer<typeof TokenAccessSchema>;

export const OffboardingConfigSchema = z
  .object({
    /** Where the checklist is posted. */
    channel,
    /** Where reminders go once `reminders.escalateAfter` have gone unanswered. */
    escalationChannel: channel.optional(),
    /** Who may act on a checklist (delete, apply, tick, close). Nobody when none are named. */
    approvers: z
      .object({
        users: z.array(slackUserId).default([]),
        /** Slack user group ids (`S…`) or handles (`@security`). */
        userGroups: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ users: [], userGroups: [] }),
    /** Slack user id or e-mail → tailnet login, where the login is not the Slack e-mail (`contractor@github`). */
    identities: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Which groups could read which gateway tokens: "rotate the token of prod and staging". */
    tokenAccess: z.array(TokenAccessSchema).default([]),
    /** Device deletions allowed per person per offboarding; the rest go through the admin console. */
    maxDeletions: z.number().int().min(0).max(500).default(10),
    /** Only show what would happen: nothing is deleted or applied. */
    dryRun: z.boolean().default(false),
    /** Offer an Apply button for policy changes (otherwise: the diff, applied by hand or GitOps). */
    applyPolicy: z.boolean().default(false),
    reminders: z
      .object({
        afterMinutes: z.number().int().min(1).max(10_080).default(240),
        escalateAfter: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .default({ afterMinutes: 240, escalateAfter: 3 }),
    /** Poll the tailnet's users for `suspended` or removed logins (webhooks need a public endpoint). */
    usersPoll: z
      .object({
        enabled: z.boolean().default(true),
        intervalMinutes: z.number().int().min(1).max(1_440).default(10),
      })
      .strict()
      .default({ enabled: true, intervalMinutes: 10 }),
  })
  .strict()
  .superRefine((section, ctx) => {
    for (const key of Object.keys(section.identities)) {
      if (!slackUserId.safeParse(key).success && !key.includes('@')) {
        ctx.addIssue({ code: 'custom', path: ['identities', key], message: 'keys are Slack user ids (U…) or e-mail addresses' });
      }
    }
  });
export type OffboardingConfig = z.infer<typeof OffboardingConfigSchema>;
