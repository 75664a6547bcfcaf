import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { suggest } from '../suggest.js';
import { ConfigSchema, type Config } from './schema.js';
import { looksLikeCredential } from './secret-env-name.js';

/** `gateways.prod.url: expected a ws:// or wss:// URL, got "http://…"` — one line per problem. */
export function formatConfigIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const where = path === '' ? '(top level)' : path;
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const known = knownKeysAt(issue.path.map(String));
          const expected = known.length ? `; expected one of ${known.join(', ')}` : '';
          // A secret pasted where a key goes (a token on a line of its own ends up as a key) is masked
          // by formatPath, and no key is suggested for it.
          const hint = looksLikeCredential(key) ? undefined : suggest(key, known);
          return `${formatPath([...issue.path, key])}: unknown key${hint ? ` (did you mean ${hint}?)` : ''}${expected}`;
        })
        .join('\n');
    }
    if (issue.code === 'invalid_type') {
      const received = isQuiet(issue.path) ? describeKind(issue.input) : describeReceived(issue.input);
      return `${where}: expected ${issue.expected}, got ${received}`;
    }
    return `${where}: ${issue.message}`;
  });
}

/** `redis.sentinels[1]`: keys joined with dots, list positions in brackets; a key that looks like a credential is not printed. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const key = looksLikeCredential(String(segment)) ? CREDENTIAL_KEY : String(segment);
    return text === '' ? key : `${text}.${key}`;
  }, '');
}

/** Stands in for a key that looks like a pasted secret (a gateway name, an unknown key). */
const CREDENTIAL_KEY = '<a key that looks like a credential, not printed>';

/**
 * Where a value may be a credential put in the wrong place (a password as `redis:`, a numeric PIN
 * as any `…Env` key, which names the variable holding a secret): a type error there names the
 * kind of value, never the value.
 */
const QUIET_SECTIONS = new Set(['redis']);

function isQuiet(path: readonly PropertyKey[]): boolean {
  const last = path.at(-1);
  return QUIET_SECTIONS.has(String(path[0])) || (typeof last === 'string' && last.endsWith('Env'));
}

function describeKind(input: unknown): string {
  if (input === undefined) return 'nothing (the key is missing)';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `a ${typeof input} (not shown)`;
}

function describeReceived(input: unknown): string {
  if (input === undefined) return 'nothing (the key is missing)';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${JSON.stringify(input)}`;
}

/** The keys the schema accepts at a path, for "did you mean" (walks the zod object shapes). */
function knownKeysAt(path: string[]): string[] {
  let schema: unknown = ConfigSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; valueType?: unknown } }).def;
    if (def?.type === 'object' && def.shape) schema = def.shape[segment];
    else if (def?.type === 'record') schema = def.valueType;
    else return [];
  }
  const def = (unwrap(schema) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  // Keys declared only to be refused (`token`, literal credentials: typed `unknown`) are never suggested.
  const shape = def?.type === 'object' ? def.shape : undefined;
  return shape ? Object.keys(shape).filter((key) => (unwrap(shape[key]) as { def?: { type?: string } } | undefined)?.def?.type !== 'unknown') : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown; in?: unknown; schema?: unknown } } | undefined;
  for (let i = 0; i < 10 && current?.def; i++) {
    const { type } = current.def;
    if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault') current = current.def.innerType as typeof current;
    else if (type === 'pipe') current = current.def.in as typeof current;
    else break;
  }
  return current;
}

/** Parses YAML text into a validated Config; `source` names the file in messages. */
export function parseConfig(text: string, source: string): Config {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => {
      const position = error.linePos?.[0];
      return `${position ? `line ${position.line}, column ${position.col}` : 'YAML'}: ${error.message.split('\n')[0]}`;
    });
    throw new ConfigError(`${source}: not valid YAML`, issues);
  }
  const raw = withoutEmptySections(document.toJS() ?? {});
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issues = formatConfigIssues(parsed.error).flatMap((line) => line.split('\n'));
    throw new ConfigError(`${source}: invalid configuration`, issues);
  }
  return parsed.data;
}

/** A section whose keys are all commented out reads as null in YAML: treat it as absent. */
function withoutEmptySections(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}

export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    // EISDIR: typically Docker made an empty directory where a missing clawops.yaml was to be mounted.
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory, not a config file (a container bind mount of a file that did not exist? create it, e.g. `cp examples/clawops.yaml clawops.yaml`, and remove the directory)'
            : `cannot read (${code ?? 'error'})`;
    throw new ConfigError(`${path}: ${why}`, [], { cause });
  }
  return parseConfig(text, path);
}
