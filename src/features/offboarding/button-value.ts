import * as z from 'zod';

/**
 * The checklist's buttons: action ids (one per item, as Slack refuses a message whose buttons
 * share one) and the value each carries — ids and names, parsed with zod when clicked, since a
 * click's payload comes from outside.
 */
export const ACTIONS = {
  deleteDevice: 'offboarding_delete_device',
  showPolicy: 'offboarding_show_policy',
  applyPolicy: 'offboarding_apply_policy',
  tokenRotated: 'offboarding_token_rotated',
  markDone: 'offboarding_mark_done',
  openChecklist: 'offboarding_open_checklist',
} as const;
export type ChecklistAction = keyof typeof ACTIONS;

/** `offboarding_delete_device:22222` → the action it names. */
export function actionKind(actionId: string): ChecklistAction | undefined {
  const base = actionId.split(':')[0];
  return (Object.keys(ACTIONS) as ChecklistAction[]).find((kind) => ACTIONS[kind] === base);
}

/** Every checklist action id, for one Bolt listener. */
export const CHECKLIST_ACTION_PATTERN = new RegExp(`^(${Object.values(ACTIONS).join('|')})(:.*)?$`);

export const ButtonValueSchema = z
  .object({
    /** The offboarding id; absent only on "open the checklists" for several. */
    o: z
      .string()
      .regex(/^[a-f0-9-]{8,64}$/)
      .optional(),
    /** A device id. */
    d: z.string().min(1).max(64).optional(),
    /** A policy group. */
    g: z.string().min(1).max(200).optional(),
    /** A gateway name. */
    w: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/)
      .optional(),
  })
  .strict();
export type ButtonValue = z.infer<typeof ButtonValueSchema>;

export function parseButtonValue(value: string | undefined): ButtonValue | undefined {
  try {
    const parsed = ButtonValueSchema.safeParse(JSON.parse(value ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function buttonValue(value: ButtonValue): string {
  return JSON.stringify(ButtonValueSchema.parse(value));
}
