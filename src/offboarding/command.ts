import type { OffboardingConfig } from '../config/sections/offboarding.js';
import type { Logger } from '../log.js';
import type { OpenJob } from '../queue/offboarding-jobs.js';
import type { GroupMembership } from '../slack/authorize.js';
import type { SlackDirectory } from '../slack/directory.js';
import type { AuditLog } from '../state/audit.js';
import { authorizeApprover } from './approvers.js';
import { looksLikeLogin, tailnetLoginFor } from './identity.js';
import { isOpen } from './model.js';
import type { OffboardingStore } from './store.js';

/**
 * `/gateway offboard @user | e-mail | tailnet login`: approvers only. A mention arrives as
 * `<@U…|name>` (the manifest asks Slack to escape users), an e-mail as `<mailto:…|…>`; both are
 * mapped to a tailnet login like a deactivated user would be. The checklist is opened by the
 * worker, in the offboarding channel, and mirrored to the DM of whoever asked.
 */
export interface OffboardingCommands {
  /** Returns the ephemeral answer for the person who typed the command. */
  offboard(input: { userId: string; channelId: string; target: string }): Promise<string>;
}

export interface CommandPortDeps {
  config: OffboardingConfig;
  store: OffboardingStore;
  directory: SlackDirectory;
  groups: GroupMembership;
  enqueueOpen: (job: OpenJob) => Promise<void>;
  permalink: (location: { channel: string; ts: string }) => Promise<string | undefined>;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
}

type Target = { kind: 'slack-user'; id: string } | { kind: 'login'; text: string } | { kind: 'unknown'; why: string };

/** PURE. */
export function parseOffboardTarget(text: string): Target {
  const trimmed = text.trim();
  const mention = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(trimmed);
  if (mention) return { kind: 'slack-user', id: mention[1]! };
  const mailto = /^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(trimmed);
  if (mailto) return { kind: 'login', text: mailto[1]! };
  if (looksLikeLogin(trimmed) && !trimmed.startsWith('@')) return { kind: 'login', text: trimmed };
  if (trimmed === '') return { kind: 'unknown', why: 'Who? e.g. `/gateway offboard @departed` or `/gateway offboard departed@example.test`' };
  return { kind: 'unknown', why: `\`${trimmed.replace(/`/g, "'").slice(0, 60)}\` is neither a mention nor an e-mail or tailnet login: mention the person (@name, picked from the list) or give their e-mail or login` };
}

export function createOffboardingCommands(deps: CommandPortDeps): OffboardingCommands {
  return {
    async offboard(input) {
      const audit = (target: string, outcome: string) =>
        deps.audit.append({ at: deps.now(), user: input.userId, channel: input.channelId, command: '/gateway offboard', target: target.slice(0, 300), outcome }).catch(() => undefined);
      const decision = await authorizeApprover(deps.config.approvers, input.userId, deps.groups);
      if (!decision.allowed) {
        await audit(input.target, `refused: ${decision.reason}`);
        return `🚫 Not allowed: ${decision.reason}.`;
      }
      const target = parseOffboardTarget(input.target);
      if (target.kind === 'unknown') {
        await audit(input.target, 'usage');
        return target.why;
      }
      let person: { slackUserId?: string; email?: string; displayName?: string } = {};
      if (target.kind === 'slack-user') {
        const info = await deps.directory.user(target.id);
        if (!info) return `⚠️ Slack does not know <@${target.id}> (or did not answer): give their e-mail or tailnet login instead.`;
        person = { slackUserId: info.id, ...(info.email ? { email: info.email } : {}), ...(info.name ? { displayName: info.name } : {}) };
      }
      const resolved =
        target.kind === 'slack-user' ? tailnetLoginFor(person, deps.config.identities) : tailnetLoginFor({ email: target.text }, deps.config.identities);
      if (!resolved.ok) {
        await audit(input.target, 'not opened: no tailnet login');
        return `⚠️ I cannot tell <@${person.slackUserId}>'s tailnet login: ${resolved.reason}. Give it directly: \`/gateway offboard <login>\`.`;
      }
      const existingId = await deps.store.idForPerson(resolved.login);
      const existing = existingId ? await deps.store.get(existingId) : undefined;
      if (existing && isOpen(existing)) {
        const link = existing.prompt ? await deps.permalink(existing.prompt).catch(() => undefined) : undefined;
        await audit(resolved.login, 'already open');
        return `An offboarding of \`${resolved.login}\` is already open${link ? `: <${link}|checklist>` : ''}.`;
      }
      await deps.enqueueOpen({
        subject: { login: resolved.login, ...person },
        trigger: { kind: 'command', by: input.userId },
        dmTo: input.userId,
      });
      await audit(resolved.login, 'accepted');
      const where = deps.config.channel.startsWith('#') ? deps.config.channel : `<#${deps.config.channel}>`;
      return `🚪 Opening the offboarding checklist for \`${resolved.login}\` in ${where}; a copy comes to you by DM.`;
    },
  };
}
