import { describe, expect, it } from 'vitest';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';
import { evaluateReach, sourceSelects, type NodeIdentity } from '../../src/policy/policy-reach.js';

function policy(hujson: string): Policy {
  const parsed = parsePolicy(hujson);
  if (!parsed.ok) throw new Error(parsed.problems.map((problem) => problem.message).join('; '));
  return parsed.policy;
}

const GATEWAY = { name: 'prod', target: 'tag:gateway', port: 18789, ips: ['100.101.102.103'] };
const TAGGED: NodeIdentity = { tags: ['tag:clawops'], user: 'tagged-devices', ips: ['100.100.1.1'] };
const USER: NodeIdentity = { tags: [], user: 'ops1@example.com', ips: ['100.100.1.1'] };
const GROUPS = `"groups": { "group:ops": ["ops1@example.com"], "group:dev": ["dev@example.com"] },`;

interface Row {
  name: string;
  hujson: string;
  node: NodeIdentity;
  allowed: boolean;
  /** allowed: the rule's location; denied: the other rules named. */
  rule?: string;
  other?: string[];
}

const rows: Row[] = [
  {
    name: 'acl from this node’s tag',
    hujson: `{ "acls": [{ "action": "accept", "src": ["tag:clawops"], "dst": ["tag:gateway:18789"] }] }`,
    node: TAGGED,
    allowed: true,
    rule: 'acls[0]',
  },
  {
    name: 'acl for tag:ops only: a tag:clawops node is denied',
    hujson: `{ "acls": [{ "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:18789"] }] }`,
    node: TAGGED,
    allowed: false,
    other: ['acls[0] lets tag:ops reach it'],
  },
  {
    name: 'acl on another port only',
    hujson: `{ "acls": [{ "action": "accept", "src": ["tag:clawops"], "dst": ["tag:gateway:22,443"] }] }`,
    node: TAGGED,
    allowed: false,
    other: [],
  },
  {
    name: 'grant with tcp port range',
    hujson: `{ "grants": [{ "src": ["tag:clawops"], "dst": ["tag:gateway"], "ip": ["tcp:18000-19000"] }] }`,
    node: TAGGED,
    allowed: true,
    rule: 'grants[0]',
  },
  {
    name: 'grant for udp only does not carry TCP',
    hujson: `{ "grants": [{ "src": ["tag:clawops"], "dst": ["tag:gateway"], "ip": ["udp:18789"] }] }`,
    node: TAGGED,
    allowed: false,
  },
  {
    name: 'user node through its group',
    hujson: `{ ${GROUPS} "acls": [{ "action": "accept", "src": ["group:ops"], "dst": ["tag:gateway:18789"] }] }`,
    node: USER,
    allowed: true,
    rule: 'acls[0]',
  },
  {
    name: 'user node, another group',
    hujson: `{ ${GROUPS} "acls": [{ "action": "accept", "src": ["group:dev"], "dst": ["tag:gateway:18789"] }] }`,
    node: USER,
    allowed: false,
    other: ['acls[0] lets group:dev reach it'],
  },
  // A tagged node is its tags, not its creator: the owner's group does not apply to it.
  {
    name: 'tagged node is not its owner’s group',
    hujson: `{ "groups": { "group:ops": ["tagged-devices"] }, "acls": [{ "action": "accept", "src": ["group:ops"], "dst": ["tag:gateway:18789"] }] }`,
    node: TAGGED,
    allowed: false,
  },
  {
    name: 'autogroup:member reaches user nodes, not tagged ones',
    hujson: `{ "acls": [{ "action": "accept", "src": ["autogroup:member"], "dst": ["tag:gateway:18789"] }] }`,
    node: TAGGED,
    allowed: false,
  },
  {
    name: 'autogroup:member, user node',
    hujson: `{ "acls": [{ "action": "accept", "src": ["autogroup:member"], "dst": ["tag:gateway:18789"] }] }`,
    node: USER,
    allowed: true,
  },
  {
    name: 'by this node’s address (a hosts alias)',
    hujson: `{ "hosts": { "bot": "100.100.1.1" }, "acls": [{ "action": "accept", "src": ["bot"], "dst": ["tag:gateway:18789"] }] }`,
    node: TAGGED,
    allowed: true,
  },
  {
    name: 'by a CIDR covering this node',
    hujson: `{ "acls": [{ "action": "accept", "src": ["100.100.0.0/16"], "dst": ["100.101.102.103:18789"] }] }`,
    node: TAGGED,
    allowed: true,
  },
  { name: 'wildcard source', hujson: `{ "acls": [{ "action": "accept", "src": ["*"], "dst": ["*:*"] }] }`, node: TAGGED, allowed: true },
  {
    name: 'proto udp acl',
    hujson: `{ "acls": [{ "action": "accept", "src": ["tag:clawops"], "proto": "udp", "dst": ["tag:gateway:18789"] }] }`,
    node: TAGGED,
    allowed: false,
  },
  {
    name: 'user login, case-insensitive',
    hujson: `{ "acls": [{ "action": "accept", "src": ["Ops1@Example.com"], "dst": ["tag:gateway:*"] }] }`,
    node: USER,
    allowed: true,
  },
];

describe('evaluateReach: may this node reach the gateway port?', () => {
  it.each(rows)('$name → allowed $allowed', (row) => {
    const result = evaluateReach(policy(row.hujson), GATEWAY, row.node);
    expect(result.allowed).toBe(row.allowed);
    expect(result.destination).toBe('tag:gateway:18789');
    if (row.rule) expect(result.rule).toMatch(new RegExp(`^${row.rule.replace(/[[\]]/g, '\\$&')} `));
    if (row.other) expect(result.otherRules).toEqual(row.other);
    if (!row.allowed) {
      expect(result.suggestion).toBeDefined();
      expect(JSON.parse(result.suggestion!.acl)).toEqual({ action: 'accept', src: [row.node.tags[0] ?? row.node.user], dst: ['tag:gateway:18789'] });
      expect(JSON.parse(result.suggestion!.grant)).toEqual({ src: [row.node.tags[0] ?? row.node.user], dst: ['tag:gateway'], ip: ['tcp:18789'] });
    }
  });

  it('suggests a grant first for a policy written in grants', () => {
    const result = evaluateReach(policy(`{ "grants": [{ "src": ["tag:ops"], "dst": ["tag:gateway"], "ip": ["tcp:18789"] }] }`), GATEWAY, TAGGED);
    expect(result.suggestion?.preferred).toBe('grants');
    expect(evaluateReach(policy(`{ "acls": [] }`), GATEWAY, TAGGED).suggestion?.preferred).toBe('acls');
  });

  it("names the policy's own tests for this node and port, either way", () => {
    const result = evaluateReach(
      policy(`{ ${GROUPS}
        "acls": [{ "action": "accept", "src": ["group:ops"], "dst": ["tag:gateway:18789"] }],
        "tests": [
          { "src": "ops1@example.com", "accept": ["tag:gateway:18789"] },
          { "src": "tag:clawops", "deny": ["tag:gateway:18789"] },
          { "src": "dev@example.com", "deny": ["tag:gateway:18789"] },
        ] }`),
      GATEWAY,
      USER,
    );
    expect(result.tests).toEqual([{ expect: 'accept', text: 'tests[0] {"src":"ops1@example.com","accept":["tag:gateway:18789"]}' }]);
    const tagged = evaluateReach(policy(`{ "tests": [{ "src": "tag:clawops", "deny": ["tag:gateway:18789"] }] }`), GATEWAY, TAGGED);
    expect(tagged.tests).toEqual([{ expect: 'deny', text: 'tests[0] {"src":"tag:clawops","deny":["tag:gateway:18789"]}' }]);
  });

  it('describes a user node with its groups, a tagged node by its tags', () => {
    const p = policy(`{ ${GROUPS} }`);
    expect(evaluateReach(p, GATEWAY, USER).node).toEqual(['ops1@example.com', 'group:ops']);
    expect(evaluateReach(p, GATEWAY, TAGGED).node).toEqual(['tag:clawops']);
  });

  it('sourceSelects: autogroup:tagged and unknown autogroups', () => {
    const p = policy('{}');
    expect(sourceSelects('autogroup:tagged', TAGGED, p)).toBe(true);
    expect(sourceSelects('autogroup:tagged', USER, p)).toBe(false);
    expect(sourceSelects('autogroup:admin', USER, p)).toBe(false);
  });
});
