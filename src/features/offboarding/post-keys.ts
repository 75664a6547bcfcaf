/**
 * The keys the checklist's posts carry in their message metadata (src/slack/poster.ts), so that a
 * job retried after Slack took a post but its answer was lost finds that post instead of making a
 * second one. Built from the offboarding id and the reminder number only: never a login.
 */
export const checklistPostKeys = {
  prompt: (id: string) => `offboarding-${id}-prompt`,
  mirror: (id: string) => `offboarding-${id}-mirror`,
  reminder: (id: string, n: number) => `offboarding-${id}-reminder-${n}`,
  escalation: (id: string, n: number) => `offboarding-${id}-escalation-${n}`,
};
