/** The icons the Slack texts use for a gateway's state and a finding's severity: defined once, here. */
export const STATE_ICON = { healthy: '✅', degraded: '🟡', unhealthy: '🔴' } as const;

export const SEVERITY_ICON = { critical: '🚨', error: '🔴', warning: '🟡', info: 'ℹ️' } as const;
