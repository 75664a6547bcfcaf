import type { AclAuditResult } from '../acl-service.js';
import { aclFindingCount } from '../acl-service.js';
import type { ExposureRecord } from '../../../state/exposure-record.js';
import { context, section, type Block } from '../../../render/blocks.js';
import { code, joinText, md, type SlackText } from '../../../render/slack-text.js';
import type { DigestSection } from '../../../render/digest-section.js';
import { orderedFindings } from './acl-view.js';

/**
 * The digest's `tailnet` section: gateways answering on their public address (critical), and the
 * ACL audit's findings. PURE: the provider fetches, this only words it. At most 8 blocks.
 */
export interface TailnetDigestInput {
  window: { fromMs: number; toMs: number };
  /** Gateways with a publicAddress, and their latest exposure probe (absent: not probed yet). */
  exposures: Array<{ gateway: string; publicAddress: string; latest?: ExposureRecord }>;
  /** Absent: the admin API is not configured. */
  acl?: AclAuditResult;
}

const MAX_LINES = 6;

const when = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

function lines(items: SlackText[], more: (count: number) => SlackText): SlackText {
  const shown = items.slice(0, MAX_LINES);
  return joinText([...shown, ...(items.length > MAX_LINES ? [more(items.length - MAX_LINES)] : [])], '\n');
}

function exposureBlocks(input: TailnetDigestInput): { blocks: Block[]; text: SlackText[] } {
  if (input.exposures.length === 0) return { blocks: [], text: [] };
  const open = input.exposures.filter((entry) => entry.latest?.tcp === 'open');
  const probed = input.exposures.filter((entry) => entry.latest !== undefined);
  if (open.length === 0) {
    const unprobed = input.exposures.length - probed.length;
    const note = md`✅ no gateway answers on its public address (${probed.length} probed${unprobed ? `, ${unprobed} not probed yet` : ''})`;
    return { blocks: [section(note)], text: [note] };
  }
  const items = open.map(({ gateway, latest }) => {
    const record = latest!;
    const http = record.httpStatus !== undefined ? ` · HTTP ${record.httpStatus}${record.openclaw ? ' (OpenClaw health JSON)' : ''}` : '';
    const stale = Date.parse(record.at) < input.window.fromMs ? ' _(last probed before this period)_' : '';
    return md`• *${gateway}* answers on ${record.address}:${record.port}${http} · ${when(record.at)}${stale}`;
  });
  return {
    blocks: [
      section(md`🚨 *public-exposure* — ${open.length} gateway(s) answer on their public address:\n${lines(items, (n) => md`…and ${n} more`)}`),
      context([md`CRITICAL: set \`gateway.bind: loopback\`, remove the inbound rule, rotate the token`]),
    ],
    text: [md`🚨 public-exposure: ${open.map((entry) => entry.gateway).join(', ')}`],
  };
}

function aclBlocks(acl: AclAuditResult | undefined): { blocks: Block[]; text: SlackText[] } {
  if (!acl) return { blocks: [context([md`ACL audit not configured (tailscale.adminApi)`])], text: [] };
  if (!acl.ok) {
    const line = md`⚠️ ACL audit could not run: ${acl.message}`;
    return { blocks: [section(line)], text: [line] };
  }
  const count = aclFindingCount(acl);
  if (count === 0) {
    const line = md`✅ ACL audit: no findings for ${acl.gateways.length} gateway(s)${acl.validation.status === 'passed' ? '; policy tests pass' : ''}`;
    return { blocks: [section(line)], text: [line] };
  }
  const icon = { critical: '🚨', warning: '🟡' } as const;
  const items = orderedFindings(acl.audit.findings).map(
    (finding) => md`${icon[finding.severity]} ${code(finding.id)} *${finding.gateway}*: ${finding.message}`,
  );
  if (acl.validation.status === 'failed') items.unshift(md`🔴 policy tests fail (acl/validate): ${acl.validation.message}`);
  return {
    blocks: [
      section(md`🔐 *ACL audit* — ${count} finding(s):\n${lines(items, (n) => md`…and ${n} more`)}`),
      context([md`\`/gateway acl\` shows who can reach each port, the rules, and ready-to-paste policy tests`]),
    ],
    text: [md`🔐 ACL audit: ${count} finding(s)`],
  };
}

export function renderTailnetDigestSection(input: TailnetDigestInput): DigestSection | undefined {
  if (input.exposures.length === 0 && input.acl === undefined) return undefined;
  const exposure = exposureBlocks(input);
  const acl = aclBlocks(input.acl);
  const text = [...exposure.text, ...acl.text];
  return {
    title: 'Tailnet and exposure',
    blocks: [...exposure.blocks, ...acl.blocks].slice(0, 8),
    text: text.length ? joinText(text, '\n') : md`Tailnet and exposure: nothing to report`,
  };
}
