import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { describeRefusal, jsonRefusal, type JsonLimits } from '../bounded-json.js';
import { z } from 'zod';

/**
 * The tailnet policy file, read from HuJSON (JSON with comments and trailing commas). Only the parts
 * clawops reasons about are typed; everything else passes through untouched. ACL rules accept the
 * legacy `users`/`ports` spellings of `src`/`dst`, which older policies still use.
 */

const strList = z
  .array(z.string())
  .nullish()
  .transform((value) => value ?? []);
const strMap = z
  .record(z.string(), z.array(z.string()))
  .nullish()
  .transform((value) => value ?? {});

const AclRuleSchema = z
  .looseObject({
    action: z.string().default('accept'),
    src: z.array(z.string()).optional(),
    users: z.array(z.string()).optional(),
    dst: z.array(z.string()).optional(),
    ports: z.array(z.string()).optional(),
    proto: z.union([z.string(), z.number()]).optional(),
  })
  .transform(({ src, users, dst, ports, proto, ...rest }) => ({
    ...rest,
    src: src ?? users ?? [],
    dst: dst ?? ports ?? [],
    proto: proto === undefined ? undefined : String(proto),
  }));

const GrantSchema = z.looseObject({
  src: strList,
  dst: strList,
  /** Network-layer capabilities: `*`, `tcp:18789`, `18789`, `tcp:18000-19000`, `icmp:*`. Absent for app-only grants. */
  ip: z.array(z.string()).optional(),
  app: z.record(z.string(), z.unknown()).optional(),
});

const PolicyTestSchema = z.looseObject({
  src: z.string(),
  proto: z.string().optional(),
  accept: strList,
  deny: strList,
});

export const PolicySchema = z.looseObject({
  groups: strMap,
  tagOwners: strMap,
  hosts: z
    .record(z.string(), z.string())
    .nullish()
    .transform((value) => value ?? {}),
  acls: z
    .array(AclRuleSchema)
    .nullish()
    .transform((value) => value ?? []),
  grants: z
    .array(GrantSchema)
    .nullish()
    .transform((value) => value ?? []),
  tests: z
    .array(PolicyTestSchema)
    .nullish()
    .transform((value) => value ?? []),
});

export type Policy = z.infer<typeof PolicySchema>;
export type AclRule = Policy['acls'][number];
export type Grant = Policy['grants'][number];
export type PolicyTest = z.input<typeof PolicyTestSchema>;

export interface PolicyProblem {
  /** A jsonc-parser error name (`CommaExpected`) or `schema`. */
  code: string;
  message: string;
  /** Character offset into the text, and its 1-based line and column. */
  offset?: number;
  length?: number;
  line?: number;
  column?: number;
  /** For schema problems: where in the policy (`acls.2.dst`). */
  path?: string;
}

export type PolicyParseResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A policy is a few KB nested under 10 deep; the HuJSON parser recurses, so depth is bounded first. */
export const POLICY_LIMITS: JsonLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 64 };

export function parsePolicy(hujson: string): PolicyParseResult {
  const refused = jsonRefusal(hujson, POLICY_LIMITS, { comments: true });
  if (refused) return { ok: false, problems: [{ code: 'refused', message: describeRefusal('a policy file', refused) }] };
  const errors: ParseError[] = [];
  const value: unknown = parse(hujson, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    return {
      ok: false,
      problems: errors.map((error) => {
        const code = printParseErrorCode(error.error);
        const where = lineAndColumn(hujson, error.offset);
        return {
          code,
          message: `${code} at line ${where.line}, column ${where.column}`,
          offset: error.offset,
          length: error.length,
          ...where,
        };
      }),
    };
  }
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.join('.');
        return { code: 'schema', path, message: `${path || '(root)'}: ${issue.message}` };
      }),
    };
  }
  return { ok: true, policy: parsed.data };
}
