import type { Phase } from '../alerts/policy.js';
import type { IncidentStats, Uptime } from '../state/history-stats.js';
import type { MaintenanceWindow } from '../state/maintenance.js';
import type { VersionChange } from '../state/versions.js';
import { context, divider, header, LIMITS, message, section, truncate, type Block, type SlackMessage } from '../../../render/blocks.js';
import { code, joinText, md, truncateText, withoutStars, type SlackText } from '../../../render/slack-text.js';
import type { DigestSection } from '../../../render/digest-section.js';
import { dateTime, dayName, dayTime, formatDuration, percent } from '../../../render/time-text.js';
import { formatMs } from '../../../render/terminal.js';

/**
 * The health digest: a fleet summary line first, then the gateways that need a look (one line
 * each, packed into sections), the healthy ones summarised in one block, then the sections other
 * parts of clawops contribute (tailnet, offboarding). Built to stay inside Slack's 50 blocks and
 * 3000-character sections for 500 gateways and more: room for the contributed sections is
 * reserved first, and what does not fit is counted, never cut mid-line. PURE.
 */
export interface GatewayDigest {
  name: string;
  phase: Phase;
  lastState?: 'healthy' | 'degraded' | 'unhealthy';
  lastVerdict?: string;
  /** The open incident, if DOWN or recovering. */
  incident?: { startedAt: number; verdict: string };
  uptime: Uptime;
  incidents: IncidentStats;
  p95HandshakeMs?: number;
  versionChanges: VersionChange[];
  version?: string;
  maintenance?: MaintenanceWindow;
}

export interface DigestData {
  fromMs: number;
  toMs: number;
  timeZone: string;
  gateways: GatewayDigest[];
  fleetP95HandshakeMs?: number;
  /** clawops' own network, when it is lost right now. */
  networkLostSince?: number;
  sections: DigestSection[];
  sectionProblems: Array<{ name: string; message: string }>;
  /** "on demand" or the schedule's words. */
  title?: string;
}

/** Each contributed section gets a divider, its title and at most this many blocks. */
export const SECTION_BLOCKS = 8;
const RESERVED_PER_SECTION = SECTION_BLOCKS + 2;
/** The gateways always keep at least this many blocks, however many sections are contributed. */
const MIN_GATEWAY_BLOCKS = 10;
const PACK_CHARS = LIMITS.sectionText - 100;

type Rank = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

function rankOf(gateway: GatewayDigest): Rank {
  if (gateway.phase === 'down') return 0;
  if (gateway.phase === 'recovering') return 1;
  if (gateway.phase === 'pending') return 2;
  if (gateway.lastState === 'unhealthy') return 2;
  if (gateway.lastState === 'degraded') return 3;
  if (gateway.incidents.count > 0 || (gateway.uptime.ratio !== undefined && gateway.uptime.ratio < 1)) return 4;
  if (gateway.uptime.checks === 0) return 5;
  if (gateway.maintenance) return 6;
  if (gateway.versionChanges.length > 0) return 7;
  return 8;
}

const ICON: Record<Rank, string> = { 0: '🔴', 1: '🟠', 2: '🟠', 3: '🟡', 4: '⚠️', 5: '⚪', 6: '🛠', 7: '🔄', 8: '✅' };

function statusOf(gateway: GatewayDigest, tz: string): SlackText {
  const verdict = gateway.incident?.verdict ?? gateway.lastVerdict;
  const why = verdict ? md` ${code(verdict)}` : '';
  switch (rankOf(gateway)) {
    case 0:
      return md`*DOWN* since ${gateway.incident ? dayTime(gateway.incident.startedAt, tz) : '?'}${why}`;
    case 1:
      return md`recovering${why}`;
    case 2:
      return md`failing${why}`;
    case 3:
      return md`degraded${why}`;
    case 5:
      return md`no checks in the period`;
    default:
      return md`up`;
  }
}

function lineOf(gateway: GatewayDigest, data: DigestData): SlackText {
  const tz = data.timeZone;
  const rank = rankOf(gateway);
  const parts: Array<SlackText | string> = [md`${ICON[rank]} *${gateway.name}* ${statusOf(gateway, tz)}`];
  if (gateway.uptime.checks > 0) parts.push(`uptime ${percent(gateway.uptime.ratio)}`);
  if (gateway.incidents.count > 0)
    parts.push(
      `${gateway.incidents.count} incident${gateway.incidents.count > 1 ? 's' : ''} (longest ${formatDuration(gateway.incidents.longestMs)}${gateway.incidents.open ? ', open' : ''})`,
    );
  if (gateway.p95HandshakeMs !== undefined) parts.push(`p95 handshake ${formatMs(gateway.p95HandshakeMs)}`);
  for (const change of gateway.versionChanges.slice(-3)) parts.push(`${change.from} → ${change.to} on ${dayName(change.at, data.toMs, tz)}`);
  if (gateway.versionChanges.length > 3) parts.push(`${gateway.versionChanges.length - 3} more version change(s)`);
  if (gateway.maintenance)
    parts.push(
      `🛠 maintenance until ${dateTime(gateway.maintenance.until, tz)}${gateway.maintenance.reason ? ` — ${truncate(gateway.maintenance.reason, 80)}` : ''}`,
    );
  return joinText(parts, ' · ');
}

export interface FleetSummary {
  total: number;
  down: number;
  failing: number;
  degraded: number;
  up: number;
  uptime?: number;
  incidents: number;
  longestMs: number;
  versionChanges: number;
  maintenance: number;
}

export function fleetSummary(gateways: readonly GatewayDigest[]): FleetSummary {
  const checks = gateways.reduce((sum, gateway) => sum + gateway.uptime.checks, 0);
  const upChecks = gateways.reduce((sum, gateway) => sum + gateway.uptime.up, 0);
  const ranks = gateways.map(rankOf);
  const down = ranks.filter((rank) => rank <= 1).length;
  const failing = ranks.filter((rank) => rank === 2).length;
  const degraded = ranks.filter((rank) => rank === 3).length;
  return {
    total: gateways.length,
    down,
    failing,
    degraded,
    up: gateways.length - down - failing - degraded,
    ...(checks > 0 ? { uptime: upChecks / checks } : {}),
    incidents: gateways.reduce((sum, gateway) => sum + gateway.incidents.count, 0),
    longestMs: Math.max(0, ...gateways.map((gateway) => gateway.incidents.longestMs)),
    versionChanges: gateways.reduce((sum, gateway) => sum + gateway.versionChanges.length, 0),
    maintenance: gateways.filter((gateway) => gateway.maintenance).length,
  };
}

function summaryLine(summary: FleetSummary, fleetP95?: number): SlackText {
  const parts = [`*${summary.total} gateway${summary.total === 1 ? '' : 's'}*`, `✅ ${summary.up} up`];
  if (summary.down) parts.push(`🔴 ${summary.down} down`);
  if (summary.failing) parts.push(`🟠 ${summary.failing} failing`);
  if (summary.degraded) parts.push(`🟡 ${summary.degraded} degraded`);
  parts.push(`fleet uptime ${percent(summary.uptime)}`);
  parts.push(
    summary.incidents ? `${summary.incidents} incident${summary.incidents > 1 ? 's' : ''} (longest ${formatDuration(summary.longestMs)})` : 'no incidents',
  );
  if (summary.versionChanges) parts.push(`${summary.versionChanges} version change${summary.versionChanges > 1 ? 's' : ''}`);
  if (summary.maintenance) parts.push(`🛠 ${summary.maintenance} in maintenance`);
  if (fleetP95 !== undefined) parts.push(`p95 handshake ${formatMs(fleetP95)}`);
  return md`${parts.join(' · ')}`;
}

/** Lines into as few sections as fit, each ≤ PACK_CHARS; never more than `maxBlocks`. */
function pack(lines: SlackText[], maxBlocks: number): { blocks: Block[]; shown: number } {
  const blocks: Block[] = [];
  let current: SlackText[] = [];
  let length = 0;
  let shown = 0;
  for (const line of lines) {
    const clipped = truncateText(line, 600);
    if (current.length > 0 && length + clipped.length + 1 > PACK_CHARS) {
      blocks.push(section(joinText(current, '\n')));
      shown += current.length;
      current = [];
      length = 0;
      if (blocks.length >= maxBlocks) break;
    }
    current.push(clipped);
    length += clipped.length + 1;
  }
  if (current.length > 0 && blocks.length < maxBlocks) {
    blocks.push(section(joinText(current, '\n')));
    shown += current.length;
  }
  return { blocks, shown };
}

function namesList(names: string[], budget: number): SlackText {
  const shown: SlackText[] = [];
  let length = 0;
  for (const name of names) {
    const item = code(name);
    if (length + item.length + 2 > budget) break;
    shown.push(item);
    length += item.length + 2;
  }
  const rest = names.length - shown.length;
  return md`${joinText(shown, ', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}

function sectionBlocks(data: DigestData, budget: number): { blocks: Block[]; text: SlackText[] } {
  const blocks: Block[] = [];
  const text: SlackText[] = [];
  for (const contributed of data.sections) {
    if (blocks.length + 2 > budget) {
      text.push(md`(${contributed.title}: left out, no room)`);
      continue;
    }
    const room = Math.min(SECTION_BLOCKS, budget - blocks.length - 2);
    blocks.push(divider(), section(md`*${truncate(contributed.title, 200)}*`), ...contributed.blocks.slice(0, room));
    text.push(md`${contributed.title}: ${contributed.text}`);
  }
  if (data.sectionProblems.length > 0 && blocks.length < budget) {
    blocks.push(
      context(data.sectionProblems.slice(0, 10).map((problem) => md`⚠️ the ${problem.name} section could not be built: ${truncate(problem.message, 200)}`)),
    );
  }
  return { blocks, text };
}

export function renderDigest(data: DigestData): SlackMessage {
  const tz = data.timeZone;
  const summary = fleetSummary(data.gateways);
  const title = `📋 Gateway digest${data.title ? ` (${data.title})` : ''} — ${dateTime(data.toMs, tz).split(' ').slice(0, 3).join(' ')}`;
  const head: Block[] = [
    header(md`${title}`),
    section(summaryLine(summary, data.fleetP95HandshakeMs)),
    context([md`${dateTime(data.fromMs, tz)} → ${dateTime(data.toMs, tz)} (${tz}) · \`/gateway history <name>\` for one gateway`]),
  ];
  if (data.networkLostSince !== undefined)
    head.push(section(md`📡 *clawops has no network* since ${dateTime(data.networkLostSince, tz)}: gateway states below may be stale.`));

  const reserved = Math.min(
    data.sections.length * RESERVED_PER_SECTION + (data.sectionProblems.length ? 1 : 0),
    LIMITS.blocks - head.length - MIN_GATEWAY_BLOCKS,
  );
  const contributed = sectionBlocks(data, Math.max(0, reserved));

  const ordered = [...data.gateways].sort(
    (a, b) => rankOf(a) - rankOf(b) || (a.uptime.ratio ?? 1) - (b.uptime.ratio ?? 1) || a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
  const notable = ordered.filter((gateway) => rankOf(gateway) < 8);
  const healthy = ordered.filter((gateway) => rankOf(gateway) === 8);

  // divider + the healthy line + an overflow note are kept out of the packing budget.
  const gatewayBudget = LIMITS.blocks - head.length - contributed.blocks.length - 3;
  const lines = notable.map((gateway) => lineOf(gateway, data));
  const packed = pack(lines, Math.max(1, gatewayBudget));
  const body: Block[] = [divider(), ...packed.blocks];
  if (packed.shown < lines.length)
    body.push(
      context([
        md`…and ${lines.length - packed.shown} more gateway(s) that need a look (Slack allows 50 blocks): \`/gateway history <name>\`, or \`clawops check --all\``,
      ]),
    );
  if (healthy.length > 0) {
    body.push(
      section(
        md`✅ *${healthy.length} gateway${healthy.length === 1 ? '' : 's'} up all period* (100 %, no incidents): ${namesList(
          healthy.map((gateway) => gateway.name),
          2_600,
        )}`,
      ),
    );
  } else if (notable.length === 0) {
    body.push(section(md`No gateways are configured.`));
  }

  const blocks = [...head, ...body, ...contributed.blocks].slice(0, LIMITS.blocks);
  const textLines = [
    md`📋 Gateway digest: ${withoutStars(summaryLine(summary, data.fleetP95HandshakeMs))}`,
    ...lines.slice(0, 30).map(withoutStars),
    ...(lines.length > 30 ? [md`…and ${lines.length - 30} more`] : []),
    ...contributed.text,
  ];
  return message(joinText(textLines, '\n'), blocks);
}
