import { authorizeGateway, type Requester } from '../src/slack/authorize.js';
import { authorizeMaintainer } from '../src/slack/maintainers.js';
import { context, message, section } from '../src/render/blocks.js';
import { dateTime, formatDuration } from '../src/render/time-text.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import type { MonitoringCommand } from './parse-monitoring.js';
import { joinText, md, mention, plainOf, truncateText, withoutStars, type SlackText } from '../src/render/slack-text.js';

type MaintenanceCommand = Extract<MonitoringCommand, { kind: 'maintenance' }>;

/**
 * `/gateway maintenance …`: open, end or list maintenance windows. Opening and ending silence or
 * un-silence alerts, so both need the gateway's check access AND to be a named maintainer; the
 * change is said where the alerts go (in the open incident's thread when there is one), so that
 * the on-call person knows why a gateway went quiet. Listing is a read.
 */
export async function handleMaintenance(
  deps: CommandDeps,
  input: { requester: Requester; command: MaintenanceCommand; text: string; reply: ReplyEphemeral },
): Promise<void> {
  const { requester, command } = input;
  const audit = commandAudit(deps, requester, `/gateway ${input.text}`.trim(), command.action === 'list' ? undefined : command.gateway);
  const monitoring = deps.monitoring;
  if (!monitoring) {
    await input.reply(md`Maintenance windows are not available in this process (no monitoring store).`);
    await audit('failed: monitoring unavailable');
    return;
  }
  const tz = monitoring.settings.timeZone;
  const now = deps.now();

  if (command.action === 'list') {
    const open = await monitoring.maintenance.open(now).catch(() => undefined);
    if (!open) {
      await input.reply(md`⚠️ Maintenance windows are unavailable right now (Redis did not answer).`);
      await audit('failed: store unavailable');
      return;
    }
    // Like `/gateway list`: only the gateways this person may check.
    const visible: typeof open = new Map();
    for (const [gateway, window] of open) {
      const decision = await authorizeGateway(deps.config.access, requester, gateway, deps.groups).catch(() => ({ allowed: false }));
      if (decision.allowed) visible.set(gateway, window);
    }
    const lines = [...visible]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([gateway, window]) =>
          md`• *${gateway}* until ${dateTime(window.until, tz)} (${tz}) by ${mention(window.by)}${window.reason ? ` — ${window.reason}` : ''}`,
      );
    await input.reply(
      lines.length ? truncateText(joinText([md`*${lines.length} open maintenance window(s)*`, ...lines], '\n'), 3_000) : md`No gateway is in maintenance.`,
    );
    await audit('answered');
    return;
  }

  const failedLookup = { allowed: false as const, reason: md`could not verify your user groups with Slack right now: try again in a moment` };
  const access = await authorizeGateway(deps.config.access, requester, command.gateway, deps.groups).catch(() => failedLookup);
  const decision = access.allowed
    ? await authorizeMaintainer(monitoring.settings.maintainers, requester.userId, deps.groups).catch(() => failedLookup)
    : access;
  if (!decision.allowed) {
    await input.reply(md`🚫 Not allowed: ${decision.reason}.`);
    await audit(`refused: ${plainOf(decision.reason)}`);
    return;
  }

  let note: SlackText;
  try {
    if (command.action === 'start') {
      const until = now + command.durationMs;
      await monitoring.maintenance.start(command.gateway, {
        startedAt: now,
        until,
        by: requester.userId,
        ...(command.reason ? { reason: command.reason } : {}),
      });
      await input.reply(
        md`🛠 *${command.gateway}* is in maintenance for ${formatDuration(command.durationMs)}, until ${dateTime(until, tz)} (${tz}). Alerts are silenced; checks go on. End it early with \`/gateway maintenance ${command.gateway} off\`.`,
      );
      note = md`🛠 *${command.gateway}* is in maintenance until ${dateTime(until, tz)} (${tz}), declared by ${mention(requester.userId)}${command.reason ? ` — ${command.reason}` : ''}. Alerts for it are silenced meanwhile.`;
      await audit(`accepted: until ${new Date(until).toISOString()}`);
    } else {
      const ended = await monitoring.maintenance.end(command.gateway, now);
      if (!ended) {
        await input.reply(md`*${command.gateway}* is not in maintenance.`);
        await audit('answered: no open window');
        return;
      }
      await input.reply(md`✅ Maintenance of *${command.gateway}* ended; alerts for it are on again.`);
      note = md`✅ Maintenance of *${command.gateway}* ended by ${mention(requester.userId)}; alerts for it are on again.`;
      await audit('accepted: ended');
    }
  } catch (error) {
    deps.logger.warn({ err: error, gateway: command.gateway }, 'maintenance change failed');
    await input.reply(md`⚠️ Could not change the maintenance window (Redis did not answer). Nothing changed; try again in a minute.`);
    await audit('failed: store unavailable');
    return;
  }

  // Said where the alerts go; a failure here changes nothing about the window.
  try {
    const incident = (await monitoring.alerts.get([command.gateway])).get(command.gateway)?.state.incident;
    const thread = incident?.alerted ? await monitoring.alerts.thread(incident.id) : undefined;
    const channel = thread?.channel ?? monitoring.settings.alerts.channel;
    if (channel)
      await deps.poster.post(
        { channel, ...(thread ? { threadTs: thread.ts } : {}) },
        message(withoutStars(note), [section(note), context([md`\`/gateway maintenance\` lists the open windows`])]),
      );
  } catch (error) {
    deps.logger.warn({ err: error, gateway: command.gateway }, 'could not announce the maintenance change');
  }
}
