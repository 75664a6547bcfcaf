import { describe, expect, it } from 'vitest';
import { handleList } from '../../commands/list.js';
import type { CommandDeps } from '../../commands/deps.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import type { AuditEntry } from '../../src/state/audit.js';

const config = parseConfig(
  [
    'gateways:',
    '  prod: { url: "wss://gw-prod.example-tailnet.ts.net" }',
    '  staging: { url: "ws://127.0.0.1:18789" }',
    'access:',
    '  rules:',
    '    - { gateways: [prod], users: [U0ONCALL] }',
  ].join('\n'),
  'test.yaml',
);

function deps(audited: AuditEntry[]): CommandDeps {
  return {
    config,
    groups: { isMember: async () => false },
    audit: { append: async (entry: AuditEntry) => void audited.push(entry) },
    lastState: { all: async () => new Map() },
    logger: createLogger({ level: 'silent' }),
    now: () => 0,
    newId: () => 'id',
  } as unknown as CommandDeps;
}

describe('/gateway list', () => {
  it('lists only the gateways the person may check, and is audited', async () => {
    const audited: AuditEntry[] = [];
    const said: string[] = [];
    await handleList(deps(audited), {
      requester: { userId: 'U0STRANGER', channelId: 'C0RANDOM', channelName: 'random', isDirectMessage: false },
      text: 'list',
      reply: async (text) => void said.push(text.mrkdwn),
    });
    expect(said.join('\n')).toContain('staging');
    expect(said.join('\n')).not.toContain('prod');
    expect(audited).toEqual([expect.objectContaining({ user: 'U0STRANGER', command: '/gateway list' })]);

    said.length = 0;
    await handleList(deps(audited), {
      requester: { userId: 'U0ONCALL', channelId: 'C0RANDOM', channelName: 'random', isDirectMessage: false },
      reply: async (text) => void said.push(text.mrkdwn),
    });
    expect(said.join('\n')).toContain('gw-prod.example-tailnet.ts.net');
  });

  it('says "not allowed" to someone who may check nothing', async () => {
    const said: string[] = [];
    const onlyProd = { ...config, gateways: { prod: config.gateways.prod! } };
    await handleList(
      { ...deps([]), config: onlyProd },
      { requester: { userId: 'U0STRANGER', channelId: 'C0RANDOM', isDirectMessage: false }, reply: async (text) => void said.push(text.mrkdwn) },
    );
    expect(said).toEqual([expect.stringMatching(/^🚫 Not allowed/)]);
  });
});

describe('/gateway maintenance (the list)', () => {
  it('shows only the windows of gateways the person may check', async () => {
    const { handleMaintenance } = await import('../../commands/maintenance.js');
    const windows = new Map([
      ['prod', { until: 3_600_000, by: 'U0ONCALL', reason: 'upgrading the prod host' }],
      ['staging', { until: 3_600_000, by: 'U0ONCALL', reason: 'staging rebuild' }],
    ]);
    const monitoring = { settings: { timeZone: 'UTC', maintainers: {} }, maintenance: { open: async () => windows } };
    const said: string[] = [];
    const withMonitoring = { ...deps([]), monitoring } as unknown as CommandDeps;
    const ask = (userId: string) =>
      handleMaintenance(withMonitoring, {
        requester: { userId, channelId: 'C0RANDOM', channelName: 'random', isDirectMessage: false },
        command: { kind: 'maintenance', action: 'list' },
        text: 'maintenance',
        reply: async (text) => void said.push(text.mrkdwn),
      });
    await ask('U0STRANGER');
    expect(said.join('\n')).toContain('staging rebuild');
    expect(said.join('\n')).not.toContain('upgrading the prod host');
    said.length = 0;
    await ask('U0ONCALL');
    expect(said.join('\n')).toContain('upgrading the prod host');
  });
});
