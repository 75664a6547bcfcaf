import { SYMPTOM_TABLE } from '../../../diagnosis/symptom-table.js';
import type { AclFinding } from '../../../policy/acl-audit.js';
import { aclFindingCount, type AclAuditResult } from '../acl-service.js';
import { capBlocks, codeSection, context, header, message, section, truncate, type Block, type SlackMessage } from '../../../render/blocks.js';
import { code, joinText, md, mention, truncateText, type SlackText } from '../../../render/slack-text.js';
import { orderedFindings, portLabel, reachableFrom, rulesLabel, shortEtag, testLines, validationLine } from './acl-view.js';

/**
 * `/gateway acl` as Block Kit: who can reach each gateway port, the `acl-too-broad` findings with
 * the offending rule quoted, ready-to-paste `tests` entries, and the policy's own test failures.
 * PURE; inside Block Kit's limits by construction (blocks.ts), with a text fallback.
 */

const ICON = { critical: '🚨', warning: '🟡' } as const;
const MAX_FINDING_BLOCKS = 15;
const MAX_FAILURE_LINES = 10;

/** Lines joined into as few sections as fit (3000 characters each). */
function sections(lines: SlackText[]): Block[] {
  const blocks: Block[] = [];
  let chunk: SlackText[] = [];
  let length = 0;
  for (const line of lines) {
    const next = truncateText(line, 2_900);
    if (chunk.length && length + next.length + 1 > 2_900) {
      blocks.push(section(joinText(chunk, '\n')));
      chunk = [];
      length = 0;
    }
    chunk.push(next);
    length += next.length + 1;
  }
  if (chunk.length) blocks.push(section(joinText(chunk, '\n')));
  return blocks;
}

function findingBlock(finding: AclFinding): Block {
  const rule = finding.ruleText ? md`\n\`\`\`${truncate(finding.ruleText.replace(/`/g, "'"), 1_500)}\`\`\`` : '';
  return section(md`${ICON[finding.severity]} *${finding.id}* · *${finding.gateway}* — ${finding.message}${rule}`);
}

export function renderAclAudit(result: AclAuditResult, ctx: { requestedBy?: string } = {}): SlackMessage {
  const asked = ctx.requestedBy ? [context([md`requested by ${mention(ctx.requestedBy)}`])] : [];
  if (!result.ok) {
    const problems = (result.problems ?? []).slice(0, 10).map((problem) => md`• ${problem.message}`);
    const text = md`⚠️ ACL audit could not run: ${result.message}`;
    return message(text, [
      section(md`⚠️ *ACL audit could not run* (${result.stage}): ${result.message}`),
      ...(problems.length ? [section(joinText(problems, '\n'))] : []),
      ...asked,
    ]);
  }

  const count = aclFindingCount(result);
  const title = count === 0 ? '✅ Tailnet ACL audit — no findings' : `🔐 Tailnet ACL audit — ${count} finding(s)`;
  const blocks: Block[] = [
    header(md`${title}`),
    context([
      md`policy ETag ${code(shortEtag(result.etag))} · tailnet ${code(result.tailnet)} · ${validationLine(result)} · ${result.gateways.length} gateway(s)`,
    ]),
  ];

  const access = result.audit.access.map((entry) => {
    const from = reachableFrom(entry).join(' · ');
    const via = entry.rules.length ? md` _(via ${rulesLabel(entry)})_` : '';
    return md`${entry.anyone ? '🚨' : entry.allMembers ? '🟡' : '•'} *${entry.gateway}* ${code(portLabel(entry))} — reachable from: ${from}${via}`;
  });
  blocks.push(...sections([md`*Who can reach each gateway port*`, ...access]));

  const broad = orderedFindings(result.audit.findings).filter((finding) => finding.id === 'acl-too-broad');
  blocks.push(...broad.slice(0, MAX_FINDING_BLOCKS).map(findingBlock));
  if (broad.length > MAX_FINDING_BLOCKS)
    blocks.push(context([md`…and ${broad.length - MAX_FINDING_BLOCKS} more acl-too-broad finding(s): run \`clawops acl\` for all`]));
  if (broad.length) blocks.push(context([md`*What to do:* ${SYMPTOM_TABLE['acl-too-broad'].do.replace('{port}', '<port>')}`]));

  const missing = result.audit.findings.filter((finding) => finding.id === 'acl-missing-deny-test');
  if (missing.length) {
    blocks.push(
      section(
        md`🟡 *acl-missing-deny-test* — no policy test asserts the deny for ${joinText(
          missing.map((finding) => md`*${finding.gateway}*`),
          ', ',
        )}. Paste into the policy's \`"tests"\`:`,
      ),
    );
    blocks.push(codeSection(testLines(result.audit.suggestedTests)));
  }

  if (result.validation.status === 'failed') {
    const failures = result.validation.failures.flatMap((failure) =>
      failure.errors.map((error) => md`• ${failure.user ? md`${code(failure.user)}: ` : ''}${error}`),
    );
    const shown = failures.slice(0, MAX_FAILURE_LINES);
    if (failures.length > MAX_FAILURE_LINES) shown.push(md`…and ${failures.length - MAX_FAILURE_LINES} more`);
    blocks.push(
      ...sections([md`🔴 *Policy tests fail* (acl/validate: ${result.validation.message})`, ...(shown.length ? shown : [md`(no details returned)`])]),
    );
  }
  if (result.notes.length) blocks.push(context(result.notes.map((note) => md`ℹ️ ${note}`)));
  blocks.push(...asked);

  const capped = capBlocks(blocks, (cut) => md`…${cut} more block(s) left out (Slack allows 50): run \`clawops acl\` for the full audit`);
  return message(fallbackText(result, count), capped);
}

function fallbackText(result: Extract<AclAuditResult, { ok: true }>, count: number): SlackText {
  if (count === 0) return md`✅ Tailnet ACL audit: no findings for ${result.gateways.length} gateway(s)`;
  const top = orderedFindings(result.audit.findings)
    .slice(0, 3)
    .map((finding) => `${finding.id} ${finding.gateway}: ${finding.message}`);
  const tests = result.validation.status === 'failed' ? ['policy tests fail'] : [];
  return md`🔐 Tailnet ACL audit: ${count} finding(s) — ${[...top, ...tests].join('; ')}`;
}
