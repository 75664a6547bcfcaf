import type { AclFinding, GatewayAccess } from '../../../policy/acl-audit.js';
import type { AclAuditResult } from '../acl-service.js';
import type { PolicyTest } from '../../../policy/policy.js';

/**
 * What the Slack and terminal renderings of an ACL audit share: the order of findings, who can
 * reach a port in words, and the ready-to-paste `tests` entries. PURE.
 */

type Ok = Extract<AclAuditResult, { ok: true }>;

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

/** `acl-too-broad` first (critical before warning), then the missing deny tests. */
export function orderedFindings(findings: readonly AclFinding[]): AclFinding[] {
  return [...findings].sort((a, b) => {
    if (a.id !== b.id) return a.id === 'acl-too-broad' ? -1 : 1;
    return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
  });
}

/** The policy's address of the gateway port: `tag:gateway:18789`. */
export function portLabel(access: Pick<GatewayAccess, 'target' | 'port'>): string {
  return access.target.includes(':') && !access.target.startsWith('tag:') ? `[${access.target}]:${access.port}` : `${access.target}:${access.port}`;
}

function list(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Who can reach the port, most alarming first; plain text (callers escape or colour it). */
export function reachableFrom(access: GatewayAccess): string[] {
  if (access.rules.length === 0) return ['nothing: no rule opens this port'];
  const parts: string[] = [];
  if (access.anyone) parts.push('ANYONE (*)');
  if (access.allMembers) parts.push('every member (autogroup:member)');
  if (access.tags.length) parts.push(`tags ${list(access.tags, 6)}`);
  if (access.users.length) parts.push(`${access.users.length} user(s) ${list(access.users, 8)}`);
  if (access.other.length) parts.push(list(access.other, 6));
  return parts;
}

export function rulesLabel(access: GatewayAccess): string {
  return access.rules.map((rule) => `${rule.section}[${rule.index}]`).join(', ');
}

/** Deduplicated, one JSON object per line with a trailing comma, as they go into `"tests": [ … ]`. */
export function testLines(tests: readonly PolicyTest[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const test of tests) {
    const json = JSON.stringify({
      src: test.src,
      ...(test.proto ? { proto: test.proto } : {}),
      ...(test.accept?.length ? { accept: test.accept } : {}),
      ...(test.deny?.length ? { deny: test.deny } : {}),
    });
    if (seen.has(json)) continue;
    seen.add(json);
    lines.push(`${json},`);
  }
  return lines;
}

export function validationLine(result: Ok): string {
  const v = result.validation;
  switch (v.status) {
    case 'skipped':
      return 'policy tests not run (validate off)';
    case 'passed':
      return 'policy tests pass (acl/validate)';
    case 'failed':
      return `policy tests FAIL (acl/validate): ${v.message}`;
    case 'error':
      return `policy tests not checked: ${v.message}`;
  }
}

/** `"3f9a1c…"`: enough of the ETag to tell two versions apart in a message. */
export function shortEtag(etag: string): string {
  const bare = etag.replace(/^W\//, '').replace(/"/g, '');
  return bare.length > 12 ? `${bare.slice(0, 12)}…` : bare;
}
