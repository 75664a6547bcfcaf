import type { AlertState } from '../alerts/policy.js';
import type { HistoryEntry } from '../state/history-entry.js';
import type { IncidentStats, Uptime } from '../state/history-stats.js';
import type { MaintenanceWindow } from '../state/maintenance.js';
import type { VersionChange, VersionView } from '../state/versions.js';
import { codeSection, context, header, message, section, truncate, type Block, type SlackMessage } from '../../../render/blocks.js';
import { code, joinText, md, mention, withoutStars, type SlackText } from '../../../render/slack-text.js';
import { formatMs } from '../../../render/terminal.js';
import { dateTime, dayName, formatDuration, percent } from '../../../render/time-text.js';
import { STATE_ICON } from '../../../render/icons.js';

/** `/gateway history <name>`: where the gateway stands, its week in numbers, its last results. PURE. */
export interface HistoryView {
  gateway: string;
  now: number;
  timeZone: string;
  entries: HistoryEntry[];
  uptime24h: Uptime;
  uptime7d: Uptime;
  handshake24h: { samples: number; p50?: number; p95?: number };
  incidents7d: IncidentStats;
  versions: VersionView;
  changes: VersionChange[];
  alert?: AlertState;
  maintenance?: MaintenanceWindow;
  failures: { kept: number; latest?: { at: number; headline: string } };
  /** Whether scheduled checks run (else the history holds only people's checks). */
  scheduled: boolean;
}

function uptimeText(uptime: Uptime): string {
  return uptime.checks === 0 ? '— (no checks)' : `${percent(uptime.ratio)} (${uptime.checks} checks)`;
}

function nowLine(view: HistoryView): SlackText {
  const alert = view.alert;
  const incident = alert?.incident;
  if (alert?.phase === 'down' && incident)
    return md`🔴 *DOWN* since ${dateTime(incident.startedAt, view.timeZone)} (${formatDuration(view.now - incident.startedAt)}) · ${code(incident.verdict)}${incident.alerted ? '' : ' · not alerted (silenced)'}`;
  if (alert?.phase === 'recovering' && incident)
    return md`🟠 *recovering* from ${code(incident.verdict)} (down since ${dateTime(incident.startedAt, view.timeZone)})`;
  if (alert?.phase === 'pending') return md`🟠 *failing* — ${alert.failures} failed check(s) in a row, not yet an incident`;
  const last = view.entries[0];
  if (!last) return md`⚪ no results yet`;
  return md`${STATE_ICON[last.state]} ${last.state}${last.verdict ? md` · ${code(last.verdict)}` : ''} · last checked ${dateTime(last.at, view.timeZone)}`;
}

export function renderHistory(view: HistoryView): SlackMessage {
  const tz = view.timeZone;
  const blocks: Block[] = [header(md`🕘 ${view.gateway} — history`), section(md`*Now* ${nowLine(view)}`)];
  const stats = [
    `*Uptime* 24 h ${uptimeText(view.uptime24h)} · 7 d ${uptimeText(view.uptime7d)}`,
    `*Handshake* (24 h) ${view.handshake24h.p50 !== undefined ? `p50 ${formatMs(view.handshake24h.p50)} · p95 ${formatMs(view.handshake24h.p95 ?? view.handshake24h.p50)} over ${view.handshake24h.samples} handshakes` : '— no completed handshake'}`,
    `*Incidents* (7 d) ${view.incidents7d.count === 0 ? 'none' : `${view.incidents7d.count}, longest ${formatDuration(view.incidents7d.longestMs)}${view.incidents7d.open ? ' (one open)' : ''}`}`,
  ];
  blocks.push(section(joinText(stats, '\n')));

  const { lastSeen, lastKnownGood } = view.versions;
  const versionParts = [`*Version* ${lastSeen ? `${lastSeen.version} (seen ${dateTime(lastSeen.at, tz)})` : 'unknown'}`];
  if (lastKnownGood)
    versionParts.push(
      `last known good ${lastKnownGood.version}${lastSeen && lastSeen.version !== lastKnownGood.version ? ' ⚠️ the running version has not yet passed a check' : ''}`,
    );
  if (view.changes.length > 0)
    versionParts.push(
      `changes: ${view.changes
        .slice(-5)
        .map((change) => `${change.from} → ${change.to} on ${dayName(change.at, view.now, tz)}`)
        .join(', ')}`,
    );
  blocks.push(section(joinText(versionParts, ' · ')));

  if (view.maintenance) {
    blocks.push(
      section(
        md`🛠 *Maintenance* until ${dateTime(view.maintenance.until, tz)} (by ${mention(view.maintenance.by)})${view.maintenance.reason ? ` — ${view.maintenance.reason}` : ''}: alerts are silenced, checks go on.`,
      ),
    );
  }

  if (view.entries.length > 0) {
    const rows = view.entries.map((entry) => {
      const handshake = entry.layers.handshake !== undefined ? `hs ${formatMs(entry.layers.handshake)}` : 'hs —';
      return `${dateTime(entry.at, tz).padEnd(16)} ${entry.state.padEnd(9)} ${(entry.verdict ?? '').padEnd(20)} ${(entry.version ?? '').padEnd(10)} ${handshake.padEnd(10)} ${formatMs(entry.durationMs).padStart(8)}  ${entry.source}`;
    });
    blocks.push(section(md`*Last ${view.entries.length} result(s)*`), codeSection(rows));
  } else {
    blocks.push(section(md`_No results recorded yet._`));
  }

  if (view.failures.latest) {
    blocks.push(
      context([
        md`${view.failures.kept} failure report(s) kept · latest ${dateTime(view.failures.latest.at, tz)}: ${truncate(view.failures.latest.headline, 300)}`,
      ]),
    );
  }
  blocks.push(context([md`times in ${tz} · ${view.scheduled ? 'scheduled checks and people’s checks' : 'scheduled checks are off: people’s checks only'}`]));

  const text = md`🕘 ${view.gateway}: ${withoutStars(nowLine(view))} · uptime 24 h ${uptimeText(view.uptime24h)}, 7 d ${uptimeText(view.uptime7d)}`;
  return message(text, blocks);
}
