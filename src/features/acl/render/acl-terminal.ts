import { SYMPTOM_TABLE } from '../../../diagnosis/symptom-table.js';
import { aclFindingCount, type AclAuditResult } from '../acl-service.js';
import { orderedFindings, portLabel, reachableFrom, rulesLabel, shortEtag, testLines, validationLine } from './acl-view.js';

/** `clawops acl` in a terminal: the same content as the Slack message, as plain lines. PURE. */

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;

export function renderAclForTerminal(result: AclAuditResult, options: { color: boolean }): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  if (!result.ok) {
    const problems = (result.problems ?? []).map((problem) => `  ${problem.message}`);
    return `${[paint('red', `ACL audit could not run (${result.stage}): ${result.message}`), ...problems].join('\n')}\n`;
  }
  const count = aclFindingCount(result);
  const lines: string[] = [
    `${paint('bold', 'tailnet ACL audit')}  ${count === 0 ? paint('green', 'no findings') : paint('red', `${count} finding(s)`)} · policy ETag ${shortEtag(result.etag)} · tailnet ${result.tailnet}`,
    `  ${validationLine(result)}`,
    '',
    paint('dim', '  GATEWAY PORT — reachable from'),
  ];
  for (const access of result.audit.access) {
    const via = access.rules.length ? paint('dim', ` (via ${rulesLabel(access)})`) : '';
    const from = reachableFrom(access).join(' · ');
    lines.push(`  ${access.gateway}  ${portLabel(access)} — ${access.anyone ? paint('red', from) : from}${via}`);
  }

  const findings = orderedFindings(result.audit.findings);
  for (const finding of findings.filter((f) => f.id === 'acl-too-broad')) {
    const mark = finding.severity === 'critical' ? paint('red', '✗') : paint('yellow', '!');
    lines.push('', `${mark} ${paint('bold', finding.id)} ${finding.gateway} [${finding.severity}] — ${finding.message}`);
    if (finding.ruleText) lines.push(`    ${paint('dim', 'rule')} ${finding.ruleText}`);
  }
  if (findings.some((f) => f.id === 'acl-too-broad'))
    lines.push('', `  ${paint('dim', 'what to do')} ${SYMPTOM_TABLE['acl-too-broad'].do.replace('{port}', '<port>')}`);

  const missing = findings.filter((f) => f.id === 'acl-missing-deny-test');
  if (missing.length) {
    lines.push(
      '',
      `${paint('yellow', '!')} ${paint('bold', 'acl-missing-deny-test')} ${missing.map((f) => f.gateway).join(', ')} — no policy test asserts the deny. Paste into "tests":`,
    );
    lines.push(...testLines(result.audit.suggestedTests).map((line) => `    ${line}`));
  }
  if (result.validation.status === 'failed') {
    lines.push('', `${paint('red', '✗')} ${paint('bold', 'policy tests fail')} (acl/validate: ${result.validation.message})`);
    for (const failure of result.validation.failures) for (const error of failure.errors) lines.push(`    ${failure.user ? `${failure.user}: ` : ''}${error}`);
  }
  for (const note of result.notes) lines.push('', `  ${paint('dim', 'note')} ${note}`);
  return `${lines.join('\n')}\n`;
}
