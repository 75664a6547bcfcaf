import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const GATEWAYS = 'gateways:\n  prod:\n    url: ws://gw.example:18789\n';

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, 'clawops.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the config to be refused');
}

describe('config: monitoring', () => {
  it('defaults: checks every 60 s, alerts at 3 failures and 2 successes, hourly reminders, nobody may declare maintenance', () => {
    const config = parseConfig(GATEWAYS, 'clawops.yaml');
    expect(config.monitoring).toEqual({
      enabled: true,
      checkIntervalSeconds: 60,
      concurrency: 16,
      alerts: { failureThreshold: 3, successThreshold: 2, reminderIntervalMinutes: 60 },
      history: { maxEntries: 300, maxAgeHours: 24, failureReports: 10, retentionDays: 8 },
      digests: [],
      timeZone: 'UTC',
      maintainers: { users: [], userGroups: [] },
    });
  });

  it('a full section parses, with a per-gateway interval', () => {
    const config = parseConfig(
      `monitoring:
  checkIntervalSeconds: 30
  alerts: { channel: '#ops-alerts', failureThreshold: 4, successThreshold: 1, reminderIntervalMinutes: 0 }
  history: { maxEntries: 1000, maxAgeHours: 48, failureReports: 20, retentionDays: 14 }
  digests:
    - { cron: '0 9 * * 1-5', tz: Europe/Berlin, channel: '#ops' }
    - { cron: '30 17 * * *', channel: C012ABCDEF }
  timeZone: Europe/Berlin
  maintainers: { users: [U012ABCDEF], userGroups: ['@oncall', S012ABCDEF] }
gateways:
  prod:
    url: ws://gw.example:18789
    checkIntervalSeconds: 300
`,
      'clawops.yaml',
    );
    expect(config.monitoring.alerts.channel).toBe('#ops-alerts');
    expect(config.monitoring.digests[1]).toEqual({ cron: '30 17 * * *', tz: 'UTC', channel: 'C012ABCDEF' });
    expect(config.gateways.prod?.checkIntervalSeconds).toBe(300);
  });

  it.each([
    ['monitoring:\n  alerts:\n    failureTreshold: 3\n', 'monitoring.alerts.failureTreshold: unknown key (did you mean failureThreshold?)'],
    ['monitoring:\n  alerts:\n    failureThreshold: 0\n', 'monitoring.alerts.failureThreshold: '],
    ['monitoring:\n  alerts:\n    channel: ops\n', 'monitoring.alerts.channel: expected a channel id like C012ABCDEF or a name like #ops, got "ops"'],
    ['monitoring:\n  checkIntervalSeconds: fast\n', 'monitoring.checkIntervalSeconds: expected number, got string "fast"'],
    [
      'monitoring:\n  digests:\n    - { cron: every morning, channel: "#ops" }\n',
      'monitoring.digests[0].cron: expected a cron pattern like "0 9 * * 1-5" (minute hour day month weekday), got "every morning"',
    ],
    [
      'monitoring:\n  digests:\n    - { cron: "0 9 * * *", tz: Europe/Berlni, channel: "#ops" }\n',
      'monitoring.digests[0].tz: expected an IANA time zone like Europe/Berlin or UTC, got "Europe/Berlni"',
    ],
    ['monitoring:\n  digests:\n    - { cron: "0 9 * * *" }\n', 'monitoring.digests[0].channel: expected string, got nothing (the key is missing)'],
    ['monitoring:\n  maintainers:\n    users: [oncall]\n', 'monitoring.maintainers.users[0]: expected a Slack user id like U012ABCDEF'],
    ['monitoring:\n  history:\n    retentionDays: 3\n', 'monitoring.history.retentionDays: '],
    ['monitoring:\n  timeZone: Mars/Olympus\n', 'monitoring.timeZone: expected an IANA time zone'],
  ])('%j → %s', (section, issue) => {
    const issues = issuesOf(`${section}${GATEWAYS}`);
    expect(issues.some((line) => line.startsWith(issue))).toBe(true);
  });

  it('a per-gateway interval is validated where it is', () => {
    expect(issuesOf('gateways:\n  prod:\n    url: ws://gw.example:18789\n    checkIntervalSeconds: 0\n')[0]).toMatch(/^gateways\.prod\.checkIntervalSeconds: /);
  });
});
