/**
 * Four safety checks, each with a test that fails when the check is removed: who may read a
 * gateway's history, the per-person cap on device deletions from Slack, and "nobody" when no
 * offboarding approvers or no maintainers are named — whatever Slack says about group membership.
 */
import { describe, expect, it } from 'vitest';
import { handleHistory } from '../../commands/history.js';
import type { CommandDeps } from '../../commands/deps.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { OffboardingConfigSchema } from '../../src/config/sections/offboarding.js';
import { createLogger } from '../../src/log.js';
import { deleteDevice } from '../../src/features/offboarding/actions/delete-device.js';
import type { ChecklistDeps } from '../../src/features/offboarding/actions/context.js';
import { authorizeApprover } from '../../src/features/offboarding/approvers.js';
import { OffboardingSchema, type Offboarding } from '../../src/features/offboarding/model.js';
import { authorizeMaintainer } from '../../src/slack/maintainers.js';
import type { GroupMembership } from '../../src/slack/authorize.js';

const logger = createLogger({ level: 'silent' });
/** Slack would say "yes, a member" of anything: the checks must not lean on it. */
const everyoneIsInEveryGroup: GroupMembership = { isMember: async () => true };

describe('/gateway history: authorized as a check of the same gateway', () => {
  const config = ConfigSchema.parse({
    gateways: { prod: { url: 'wss://gw-prod.example-tailnet.ts.net' } },
    access: { rules: [{ gateways: ['prod'], channels: ['#incidents'], users: ['U0ONCALL'] }] },
  });
  const run = async (userId: string) => {
    const replies: string[] = [];
    const audited: string[] = [];
    let read = 0;
    const deps = {
      config,
      groups: everyoneIsInEveryGroup,
      audit: { append: async (entry: { outcome: string }) => void audited.push(entry.outcome) },
      monitoring: { historyView: async () => ((read += 1), { gateway: 'prod' }) },
      logger,
      now: () => 1_700_000_000_000,
    } as unknown as CommandDeps;
    const shown: unknown[] = [];
    await handleHistory(deps, {
      requester: { userId, channelId: 'C0INCIDENTS', channelName: 'incidents', isDirectMessage: false },
      gateway: 'prod',
      text: 'history prod',
      reply: async (text) => void replies.push(String(text)),
      replyMessage: async (message) => void shown.push(message),
    }).catch(() => undefined);
    return { replies, audited, read, shown };
  };

  it('someone the access rules do not let check prod cannot read its history, and that is audited', async () => {
    const stranger = await run('U0STRANGER');
    expect(stranger.read).toBe(0);
    expect(stranger.shown).toEqual([]);
    expect(stranger.replies).toEqual([expect.stringMatching(/^🚫 Not allowed: /)]);
    expect(stranger.audited).toEqual([expect.stringMatching(/^refused: /)]);
  });

  it('the on-call engineer the rule names can', async () => {
    const oncall = await run('U0ONCALL');
    expect(oncall.read).toBe(1);
    expect(oncall.replies.filter((reply) => reply.startsWith('🚫'))).toEqual([]);
  });
});

describe('offboarding: the per-person cap on deletions from Slack', () => {
  const LOGIN = 'departed@example.test';
  const devices = ['11111', '22222', '33333'];
  const record: Offboarding = OffboardingSchema.parse({
    id: '0000000a-0000-4000-8000-000000000000',
    subject: { login: LOGIN },
    trigger: { kind: 'tailnet-poll' },
    openedAt: 1_700_000_000_000,
    devices: devices.map((id) => ({ id, name: `laptop-${id}`, tags: [], status: 'open' })),
    groups: [],
    review: { tagOwners: [], tests: [], acls: 0, grants: 0 },
    gateways: [],
  });

  it('stops at maxDeletions: the next click deletes nothing, says why and is audited', async () => {
    let stored = structuredClone(record);
    const deleted: string[] = [];
    const replies: string[] = [];
    const audited: string[] = [];
    const deps = {
      config: OffboardingConfigSchema.parse({ channel: 'C0OPS', approvers: { users: ['U0ONCALL'] }, maxDeletions: 2 }),
      store: {
        get: async () => structuredClone(stored),
        update: async (_id: string, change: (current: Offboarding) => Offboarding | undefined) => {
          const next = change(structuredClone(stored));
          if (next) stored = next;
          return next;
        },
      },
      admin: {
        getDevice: async (id: string) => ({ id, nodeId: `n${id}`, name: `laptop-${id}`, hostname: `laptop-${id}`, user: LOGIN, tags: [] }),
        deleteDevice: async (id: string) => void deleted.push(id),
      },
      messages: { note: async () => undefined, refresh: async () => undefined, render: () => ({ text: '', blocks: [] }) },
      queue: { cancelReminders: async () => undefined },
      audit: { append: async (entry: { outcome: string }) => void audited.push(entry.outcome) },
      groups: everyoneIsInEveryGroup,
      poster: {},
      permalink: async () => undefined,
      logger,
      now: () => 1_700_000_100_000,
    } as unknown as ChecklistDeps;

    for (const id of devices) {
      await deleteDevice(deps, {
        userId: 'U0ONCALL',
        channelId: 'C0OPS',
        value: { o: record.id, d: id },
        reply: async (text) => void replies.push(String(text)),
      });
    }
    expect(deleted).toEqual(['11111', '22222']);
    expect(stored.deletions).toBe(2);
    expect(replies).toEqual([expect.stringMatching(/^🚫 Not deleted: the cap of 2 deletion\(s\) per person is reached/)]);
    expect(audited.filter((outcome) => outcome === 'deleted')).toHaveLength(2);
    expect(audited).toContain('refused: deletion cap reached');
  });
});

describe('"nobody" when nobody is named', () => {
  it('no offboarding approvers: nobody may act on a checklist, and the reason says so', async () => {
    const decision = await authorizeApprover({ users: [], userGroups: [] }, 'U0ANYONE', everyoneIsInEveryGroup);
    expect(decision.allowed).toBe(false);
    expect(String(decision.allowed ? '' : decision.reason)).toBe(
      'no offboarding approvers are configured (offboarding.approvers), so nobody may act on checklists',
    );
  });

  it('no maintainers: nobody may declare maintenance, and the reason says so', async () => {
    const decision = await authorizeMaintainer({ users: [], userGroups: [] }, 'U0ANYONE', everyoneIsInEveryGroup);
    expect(decision.allowed).toBe(false);
    expect(String(decision.allowed ? '' : decision.reason)).toBe('nobody may declare maintenance here: `monitoring.maintainers` in clawops.yaml names no one');
  });

  it('named ones still may (the checks are about emptiness, not a blanket refusal)', async () => {
    expect(await authorizeApprover({ users: ['U0ONCALL'], userGroups: [] }, 'U0ONCALL', everyoneIsInEveryGroup)).toEqual({ allowed: true });
    expect(await authorizeMaintainer({ users: [], userGroups: ['@oncall'] }, 'U0ONCALL', everyoneIsInEveryGroup)).toEqual({ allowed: true });
  });
});
