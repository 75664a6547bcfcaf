import { applyEdits, findNodeAtLocation, modify, parseTree, type Edit, type Node } from 'jsonc-parser';
import { parsePolicy, type Policy, type PolicyProblem } from './policy.js';
import { unifiedDiff } from './unified-diff.js';

/**
 * Offboarding as a policy edit: take a departed login out of every `groups` entry, keeping the
 * file's comments and layout, and show the diff before anything is applied. Tag owners, tests and
 * rules that name the login are only reported: changing who owns a tag or what a test asserts is
 * a decision for a person, not a side effect of offboarding. PURE.
 */

export interface LoginMentions {
  groups: string[];
  tagOwners: string[];
  /** Indices into `tests` whose src or destinations name the login. */
  tests: number[];
  acls: number[];
  grants: number[];
}

export interface GroupEdit {
  path: ['groups', string];
  before: string[];
  after: string[];
}

export type RemoveLoginResult =
  { ok: true; text: string; edits: GroupEdit[]; diff: string; untouched: Omit<LoginMentions, 'groups'> } | { ok: false; problems: PolicyProblem[] };

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false };

function same(a: string, login: string): boolean {
  return a.toLowerCase() === login.toLowerCase();
}

/** `login` or `login:port` as written in destinations and tests. */
function names(entry: string, login: string): boolean {
  return same(entry, login) || entry.toLowerCase().startsWith(`${login.toLowerCase()}:`);
}

export function findLoginInPolicy(policy: Policy, login: string): LoginMentions {
  const indices = <T>(items: T[], test: (item: T) => boolean): number[] => items.flatMap((item, index) => (test(item) ? [index] : []));
  return {
    groups: Object.entries(policy.groups)
      .filter(([, members]) => members.some((member) => same(member, login)))
      .map(([name]) => name),
    tagOwners: Object.entries(policy.tagOwners)
      .filter(([, owners]) => owners.some((owner) => same(owner, login)))
      .map(([tag]) => tag),
    tests: indices(policy.tests, (test) => same(test.src, login) || [...test.accept, ...test.deny].some((d) => names(d, login))),
    acls: indices(policy.acls, (rule) => rule.src.some((s) => same(s, login)) || rule.dst.some((d) => names(d, login))),
    grants: indices(policy.grants, (grant) => [...grant.src, ...grant.dst].some((s) => same(s, login))),
  };
}

/**
 * The edit that removes one array element. An element on its own line goes with its whole line
 * (its comma and trailing comment included). Otherwise jsonc-parser's `modify` does it, except
 * for the last element: `modify` assumes `]` follows it directly and cuts into the text when
 * whitespace or a trailing comma sits in between.
 */
function removalEdits(text: string, array: Node, index: number, path: [string, string, number]): Edit[] {
  const children = array.children ?? [];
  const element = children[index]!;
  const lineStart = text.lastIndexOf('\n', element.offset - 1) + 1;
  const ownLine = /^[ \t]*$/.test(text.slice(lineStart, element.offset));
  const rest = /^[ \t]*,?[ \t]*(\/\/[^\n]*)?(\r?\n|$)/.exec(text.slice(element.offset + element.length));
  const nextOnSameLine = children[index + 1] !== undefined && !text.slice(element.offset, children[index + 1]!.offset).includes('\n');
  if (ownLine && rest && !nextOnSameLine) {
    return [{ offset: lineStart, length: element.offset + element.length + rest[0].length - lineStart, content: '' }];
  }
  if (index === children.length - 1 && index > 0) {
    const previous = children[index - 1]!;
    const from = previous.offset + previous.length;
    return [{ offset: from, length: element.offset + element.length - from, content: '' }];
  }
  return modify(text, path, undefined, {});
}

function membersAt(text: string, group: string): { node: Node; members: unknown[] } | undefined {
  const root = parseTree(text, [], PARSE_OPTIONS);
  const node = root && findNodeAtLocation(root, ['groups', group]);
  if (!node || node.type !== 'array') return undefined;
  return { node, members: (node.children ?? []).map((child) => child.value) };
}

/** `options.groups` limits the edit to those groups (one checklist item per group). */
export function removeLoginFromPolicy(hujson: string, login: string, options: { groups?: readonly string[] } = {}): RemoveLoginResult {
  const parsed = parsePolicy(hujson);
  if (!parsed.ok) return parsed;
  const mentions = findLoginInPolicy(parsed.policy, login);
  let text = hujson;
  const edits: GroupEdit[] = [];
  for (const group of mentions.groups.filter((name) => !options.groups || options.groups.includes(name))) {
    const before = parsed.policy.groups[group] ?? [];
    // Remove from the end so earlier indices stay valid; re-read the tree after every edit.
    for (let index = before.length - 1; index >= 0; index--) {
      if (!same(before[index]!, login)) continue;
      const current = membersAt(text, group);
      if (!current) break;
      text = applyEdits(text, removalEdits(text, current.node, index, ['groups', group, index]));
    }
    const after = membersAt(text, group)?.members.filter((m): m is string => typeof m === 'string') ?? [];
    edits.push({ path: ['groups', group], before, after });
  }
  const { groups: _edited, ...untouched } = mentions;
  return { ok: true, text, edits, diff: unifiedDiff(hujson, text), untouched };
}
