/**
 * Pure parsers for what systemd tells about a unit: `systemctl show --property=…` output and the
 * content of an EnvironmentFile. They follow systemd's own rules (src/shared/bus-print-properties.c,
 * src/systemctl/systemctl-show.c, src/basic/env-file.c), because the question they answer is "what
 * would systemd hand the Gateway", not "what does a shell make of it".
 *
 * Values read here can include the Gateway token. Environments are kept in Maps on purpose:
 * `JSON.stringify` renders a Map as `{}`, so a unit that ends up in a log line does not spill them.
 * Only unit-drift.ts looks inside, and it returns fingerprints.
 */

export const UNIT_SHOW_PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'FragmentPath',
  'DropInPaths',
  'Environment',
  'EnvironmentFiles',
  'ExecStart',
  // `yes` when unit files changed on disk without a daemon-reload: Environment= shown here is then stale.
  'NeedDaemonReload',
] as const;

export interface EnvironmentFileRef {
  path: string;
  /** `-` prefix in the unit, `(ignore_errors=yes)` in `systemctl show`: a missing file is skipped. */
  optional: boolean;
}

export interface ExecCommand {
  path: string;
  /** Only the Gateway options that decide the token and port: `--token`, `--port`. */
  options: ReadonlyMap<string, string>;
}

export interface ParsedUnit {
  /** `loaded`, `not-found`, `masked`, … */
  loadState: string;
  activeState: string;
  subState: string;
  fragmentPath?: string;
  dropInPaths: string[];
  /** Environment= after systemd's merge (a later assignment of a key wins). May hold secrets. */
  environment: ReadonlyMap<string, string>;
  /** Assignments an older systemd printed as `[unprintable]` (values with spaces): unknown to us. */
  unprintableEnvironment: number;
  environmentFiles: EnvironmentFileRef[];
  execStart: ExecCommand[];
  needDaemonReload: boolean;
}

export function parseSystemctlShow(text: string): ParsedUnit {
  const unit: ParsedUnit = {
    loadState: 'unknown',
    activeState: 'unknown',
    subState: 'unknown',
    dropInPaths: [],
    environment: new Map(),
    unprintableEnvironment: 0,
    environmentFiles: [],
    execStart: [],
    needDaemonReload: false,
  };
  const environment = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replace(/\r$/, '');
    switch (key) {
      case 'LoadState':
        unit.loadState = value;
        break;
      case 'ActiveState':
        unit.activeState = value;
        break;
      case 'SubState':
        unit.subState = value;
        break;
      case 'FragmentPath':
        if (value) unit.fragmentPath = value;
        break;
      case 'DropInPaths':
        unit.dropInPaths.push(...splitSystemdWords(value));
        break;
      case 'NeedDaemonReload':
        unit.needDaemonReload = value === 'yes';
        break;
      case 'Environment':
        for (const word of splitSystemdWords(value)) {
          if (word === '[unprintable]') {
            unit.unprintableEnvironment++;
            continue;
          }
          const assignment = word.indexOf('=');
          if (assignment > 0) environment.set(word.slice(0, assignment), word.slice(assignment + 1));
        }
        break;
      // One line per file; systemd before v219 printed the key in the singular.
      case 'EnvironmentFiles':
      case 'EnvironmentFile': {
        const ref = parseEnvironmentFileRef(value);
        if (ref) unit.environmentFiles.push(ref);
        break;
      }
      case 'ExecStart': {
        const command = parseExecStart(value);
        if (command) unit.execStart.push(command);
        break;
      }
    }
  }
  unit.environment = environment;
  return unit;
}

/** `/etc/openclaw/env (ignore_errors=no)`; also a unit-file style `-/etc/openclaw/env`. */
function parseEnvironmentFileRef(value: string): EnvironmentFileRef | undefined {
  const shown = /^(.*) \(ignore_errors=(yes|no)\)$/.exec(value.trim());
  let path = shown ? (shown[1] ?? '') : value.trim();
  let optional = shown?.[2] === 'yes';
  if (path.startsWith('-')) {
    optional = true;
    path = path.slice(1);
  }
  return path ? { path, optional } : undefined;
}

/**
 * `{ path=/usr/bin/openclaw ; argv[]=/usr/bin/openclaw gateway --port 18789 ; ignore_errors=no ; … }`.
 * systemd joins argv with plain spaces (no quoting), so a word split is all it allows.
 */
function parseExecStart(value: string): ExecCommand | undefined {
  const path = /path=(\S+)/.exec(value)?.[1];
  const argv = /argv\[\]=(.*?) ; (?:ignore_errors|flags)=/.exec(value)?.[1];
  if (!path) return undefined;
  const options = new Map<string, string>();
  const words = (argv ?? '').split(' ').filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const flag = /^--(token|port)(?:=(.*))?$/.exec(word);
    if (!flag) continue;
    const inline = flag[2];
    const next = words[i + 1];
    if (inline !== undefined) options.set(`--${flag[1]}`, inline);
    else if (next !== undefined) {
      options.set(`--${flag[1]}`, next);
      i++;
    }
  }
  return { path, options };
}

/**
 * Splits a `systemctl show` list value into its words. systemd quotes each element that needs it
 * with double quotes, escaping `"`, `\`, `` ` `` and `$` with a backslash (shell_maybe_quote), e.g.
 * `"A=b c" D=e`. Single quotes are accepted too, for hand-written fixtures and older builds.
 */
export function splitSystemdWords(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < value.length) word += value[++i];
      else word += c;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < value.length) word += value[++i];
      else word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export interface EnvironmentFileContent {
  /** Valid assignments, a later one of a key winning. May hold secrets. */
  values: ReadonlyMap<string, string>;
  /** Lines systemd drops, by key name only (never the value): `export FOO=…`, `1BAD=…`. */
  ignored: { line: number; key: string; why: string }[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An EnvironmentFile's content as systemd reads it: `KEY=VALUE` lines; `#` and `;` comment lines;
 * single quotes literal; double quotes with backslash escapes; backslash-newline continues a line;
 * unquoted trailing whitespace dropped; `#` after a value is part of the value. Not a shell: an
 * `export KEY=…` line is a key named "export KEY", which systemd drops as invalid — we report it,
 * because a file written for `source` silently gives the Gateway nothing.
 */
export function parseEnvironmentFile(text: string): EnvironmentFileContent {
  const values = new Map<string, string>();
  const ignored: EnvironmentFileContent['ignored'] = [];
  for (const { key, value, line } of tokenizeEnvironmentFile(text)) {
    if (ENV_NAME.test(key)) {
      values.set(key, value);
      continue;
    }
    const exported = /^export\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(key);
    ignored.push(
      exported
        ? { line, key: exported[1] ?? key, why: 'has an `export ` prefix, which systemd does not strip: the variable is dropped' }
        : { line, key: key.slice(0, 64), why: 'is not a valid variable name: systemd drops it' },
    );
  }
  return { values, ignored };
}

type EnvState = 'pre-key' | 'key' | 'pre-value' | 'value' | 'single' | 'double' | 'comment';

/** systemd's parse_env_file_internal state machine, reduced to what decides the result. */
function* tokenizeEnvironmentFile(text: string): Generator<{ key: string; value: string; line: number }> {
  let state: EnvState = 'pre-key';
  let key = '';
  let value = '';
  let trailingSpace = 0; // unquoted whitespace at the end of `value`, chomped at the end of the line
  let line = 1;
  let keyLine = 1;
  const emit = () => ({ key: key.trimEnd(), value: state === 'value' ? value.slice(0, value.length - trailingSpace) : value, line: keyLine });
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    const newline = c === '\n' || c === '\r';
    if (c === '\n') line++;
    switch (state) {
      case 'pre-key':
        if (c === '#' || c === ';') state = 'comment';
        else if (!/\s/.test(c)) {
          state = 'key';
          key = c;
          keyLine = line;
        }
        break;
      case 'key':
        if (newline) state = 'pre-key';
        else if (c === '=') {
          state = 'pre-value';
          value = '';
          trailingSpace = 0;
        } else key += c;
        break;
      case 'pre-value':
      case 'value':
        if (newline) {
          yield emit();
          state = 'pre-key';
        } else if (state === 'pre-value' && c === "'") state = 'single';
        else if (state === 'pre-value' && c === '"') state = 'double';
        else if (c === '\\') {
          const next = text[++i] ?? '';
          if (next === '\n') line++;
          else if (next !== '\r') value += next; // an escaped newline joins the lines
          state = 'value';
          trailingSpace = 0;
        } else if (state === 'pre-value' && /\s/.test(c)) {
          // leading whitespace of a value is skipped
        } else {
          state = 'value';
          value += c;
          trailingSpace = /\s/.test(c) ? trailingSpace + 1 : 0;
        }
        break;
      case 'single':
        if (c === "'") state = 'pre-value';
        else value += c;
        break;
      case 'double':
        if (c === '"') state = 'pre-value';
        else if (c === '\\') {
          const next = text[++i] ?? '';
          if (next === '\n') line++;
          else if ('"\\`$'.includes(next)) value += next;
          else value += `\\${next}`; // like the shell, other escapes keep their backslash
        } else value += c;
        break;
      case 'comment':
        // systemd ≥ 254: a trailing backslash no longer continues a comment onto the next line
        if (newline) state = 'pre-key';
        break;
    }
  }
  if (state === 'pre-value' || state === 'value' || state === 'single' || state === 'double') yield emit();
}
