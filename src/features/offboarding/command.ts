import type { OffboardingConfig } from '../../config/sections/offboarding.js';
import type { Logger } from '../../log.js';
import type { OpenJob } from './offboarding-jobs.js';
import type { GroupMembership } from '../../slack/authorize.js';
import type { SlackDirectory } from '../../slack/directory.js';
import type { AuditLog } from '../../state/audit.js';
import { authorizeApprover } from './approvers.js';
import { looksLikeLogin, tailnetLoginFor } from './identity.js';
import { isOpen } from './model.js';
import { channelMention, code, link, md, mention, plainOf, type SlackText } from '../../render/slack-text.js';
import type { OffboardingStore } from './store.js';
import { writeAudit } from '../../state/audit.js';

/**
 * `/gateway offboard @user | e-mail | tailnet login`: approvers only. A mention arrives as
 * `<@U…|name>` (the manifest asks Slack to escape users), an e-mail as `<mailto:…|…>`; both are
 * mapped to a tailnet login like a deactivated user would be. The checklist is opened by the
 * worker, in the offboarding channel, and mirrored to the DM of whoever asked. Anything else that
 * is not a login (other Slack markup, `<mailto:<!channel|x>`, spaces) is refused, saying what to type.
 */
export interface OffboardingCommands {
  /** Returns the ephemeral answer for the person who typed the command. */
  offboard(input: { userId: string; channelId: string; target: string }): Promise<SlackText>;
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

const WHAT_TO_TYPE =
  "type `/gateway offboard @name` (pick the person from Slack's list), or their e-mail or tailnet login: `/gateway offboard departed@example.test`, `/gateway offboard contractor@github`";

/** PURE. The refusals are plain text (escaped where they are said) and always say what to type. */
export function parseOffboardTarget(text: string): Target {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'unknown', why: `Who left? ${WHAT_TO_TYPE}` };
  const mention = /^<@([UW][A-Z0-9]{2,30})(\|[^<>]*)?>$/.exec(trimmed);
  if (mention) return { kind: 'slack-user', id: mention[1]! };
  const shown = trimmed.replace(/`/g, "'").slice(0, 60);
  // Slack escapes a typed e-mail as <mailto:a@b|a@b>; what is inside must itself be a login.
  const mailto = /^<mailto:([^|]*)(\|.*)?>$/s.exec(trimmed);
  if (mailto) {
    const address = mailto[1]!;
    if (looksLikeLogin(address)) return { kind: 'login', text: address.toLowerCase() };
    return { kind: 'unknown', why: `\`${shown}\` is not an e-mail address I can offboard: ${WHAT_TO_TYPE}` };
  }
  if (looksLikeLogin(trimmed)) return { kind: 'login', text: trimmed };
  if (/^@[^\s<>]+$/.test(trimmed)) return { kind: 'unknown', why: `\`${shown}\` arrived as plain text, not as a Slack mention: ${WHAT_TO_TYPE}` };
  if (/[<>&|]/.test(trimmed))
    return {
      kind: 'unknown',
      why: `\`${shown}\` is Slack markup (a mention of a channel or group, a link or an escaped character), not a person: ${WHAT_TO_TYPE}`,
    };
  if (/\s/.test(trimmed)) return { kind: 'unknown', why: `\`${shown}\` has spaces, so it is not one login: offboard one person at a time — ${WHAT_TO_TYPE}` };
  return { kind: 'unknown', why: `\`${shown}\` is neither a mention nor an e-mail or tailnet login: ${WHAT_TO_TYPE}` };
}

export function createOffboardingCommands(deps: CommandPortDeps): OffboardingCommands {
  return {
    async offboard(input) {
      const audit = (target: string, outcome: string) =>
        writeAudit(deps.audit, deps.logger, { at: deps.now(), user: input.userId, channel: input.channelId, command: '/gateway offboard', target, outcome });
      const decision = await authorizeApprover(deps.config.approvers, input.userId, deps.groups);
      if (!decision.allowed) {
        await audit(input.target, `refused: ${plainOf(decision.reason)}`);
        return md`🚫 Not allowed: ${decision.reason}.`;
      }
      const target = parseOffboardTarget(input.target);
      if (target.kind === 'unknown') {
        await audit(input.target, 'usage');
        return md`${target.why}`;
      }
      let person: { slackUserId?: string; email?: string; displayName?: string } = {};
      if (target.kind === 'slack-user') {
        const info = await deps.directory.user(target.id);
        if (!info) {
          await audit(input.target, 'not opened: unknown Slack user');
          return md`⚠️ Slack does not know ${mention(target.id)} (or did not answer): give their e-mail or tailnet login instead, e.g. \`/gateway offboard departed@example.test\`.`;
        }
        person = { slackUserId: info.id, ...(info.email ? { email: info.email } : {}), ...(info.name ? { displayName: info.name } : {}) };
      }
      const resolved =
        target.kind === 'slack-user' ? tailnetLoginFor(person, deps.config.identities) : tailnetLoginFor({ email: target.text }, deps.config.identities);
      if (!resolved.ok) {
        await audit(input.target, 'not opened: no tailnet login');
        const who = person.slackUserId ? md`${mention(person.slackUserId)}'s` : md`that person's`;
        return md`⚠️ I cannot tell ${who} tailnet login: ${resolved.reason}. Give it directly: \`/gateway offboard <login>\`, e.g. \`/gateway offboard departed@example.test\`.`;
      }
      const existingId = await deps.store.idForPerson(resolved.login);
      const existing = existingId ? await deps.store.get(existingId) : undefined;
      if (existing && isOpen(existing)) {
        const url = existing.prompt ? await deps.permalink(existing.prompt).catch(() => undefined) : undefined;
        await audit(resolved.login, 'already open');
        return md`An offboarding of ${code(resolved.login)} is already open${url ? md`: ${link(url, 'checklist')}` : ''}.`;
      }
      await deps.enqueueOpen({
        subject: { login: resolved.login, ...person },
        trigger: { kind: 'command', by: input.userId },
        dmTo: input.userId,
      });
      await audit(resolved.login, 'accepted');
      return md`🚪 Opening the offboarding checklist for ${code(resolved.login)} in ${channelMention(deps.config.channel)}; a copy comes to you by DM.`;
    },
  };
}
