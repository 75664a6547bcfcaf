import * as z from 'zod';
import { execFileOutcome, type ExecFileFn } from './exec-file.js';
import { createFindExecutable, type FindExecutableFn } from './find-executable.js';

/**
 * `openclaw doctor --lint --json`, OpenClaw's own read-only findings, as optional extra evidence.
 * Optional because it is dear (2–17 s and 0.2–0.6 GB per CLI call on a small host): the agent runs it
 * only when asked and only when the CLI is installed.
 *
 * The shape, from openclaw 2026.9.6 (docs/cli/doctor/lint.md, dist/doctor-lint-output-*.mjs):
 *   {"schemaVersion":1,"ok":false,"checksRun":5,"checksSkipped":0,
 *    "findings":[{"checkId","severity":"error|warning|info","message","path"?,"fixHint"?,…}],
 *    "warnings"?:[…same…], "error"?:{"type":"cli_error","message"}}
 * Exit 0: nothing at the threshold; 1: findings; 2: the lint itself failed (still one JSON document).
 * Parsing is liberal (`id`/`code`, `level`) so that a renamed field degrades to a note, not a crash.
 */

export interface DoctorFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  path?: string;
  fixHint?: string;
}

export interface DoctorLint {
  ok?: boolean;
  checksRun?: number;
  findings: DoctorFinding[];
  /** Advisories below the threshold (the updater's `warnings` array). */
  warnings: DoctorFinding[];
  notes: string[];
}

const MAX_TEXT = 500;
const text = z.string().transform((s) => s.slice(0, MAX_TEXT));

const RawFinding = z.looseObject({
  checkId: z.string().optional(),
  id: z.string().optional(),
  code: z.string().optional(),
  severity: z.string().optional(),
  level: z.string().optional(),
  message: text.optional(),
  msg: text.optional(),
  path: text.optional(),
  fixHint: text.optional(),
});

const RawLint = z.looseObject({
  ok: z.boolean().optional(),
  checksRun: z.number().optional(),
  findings: z.array(z.unknown()).optional(),
  warnings: z.array(z.unknown()).optional(),
});

/** Pure: stdout of `openclaw doctor --lint --json` → findings. Never throws. */
export function parseDoctorLint(stdout: string): DoctorLint {
  const notes: string[] = [];
  const json = lastJsonDocument(stdout);
  const lint = RawLint.safeParse(json);
  if (json === undefined || !lint.success || (lint.data.findings === undefined && lint.data.ok === undefined)) {
    return { findings: [], warnings: [], notes: [`unrecognised doctor output (${stdout.length} bytes): no findings taken from it`] };
  }
  const findings = normaliseAll(lint.data.findings ?? [], notes);
  const warnings = normaliseAll(lint.data.warnings ?? [], notes);
  return {
    ...(lint.data.ok !== undefined ? { ok: lint.data.ok } : {}),
    ...(lint.data.checksRun !== undefined ? { checksRun: lint.data.checksRun } : {}),
    findings,
    warnings,
    notes,
  };
}

function normaliseAll(items: unknown[], notes: string[]): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  let skipped = 0;
  for (const item of items) {
    const raw = RawFinding.safeParse(item);
    const message = raw.success ? (raw.data.message ?? raw.data.msg) : undefined;
    if (!raw.success || message === undefined) {
      skipped++;
      continue;
    }
    const r = raw.data;
    out.push({
      id: (r.checkId ?? r.id ?? r.code ?? 'unknown').slice(0, 120),
      severity: severityOf(r.severity ?? r.level),
      message,
      ...(r.path !== undefined ? { path: r.path } : {}),
      ...(r.fixHint !== undefined ? { fixHint: r.fixHint } : {}),
    });
  }
  if (skipped > 0) notes.push(`${skipped} doctor finding(s) without a message were skipped`);
  return out;
}

function severityOf(value: string | undefined): DoctorFinding['severity'] {
  const v = value?.toLowerCase();
  if (v === 'error' || v === 'critical' || v === 'fatal') return 'error';
  if (v === 'warning' || v === 'warn') return 'warning';
  return 'info';
}

/** The whole text if it is JSON, else the last line that is (the CLI may log before its document). */
function lastJsonDocument(stdout: string): unknown {
  const candidates = [
    stdout.trim(),
    ...stdout
      .split('\n')
      .reverse()
      .map((l) => l.trim()),
  ];
  for (const candidate of candidates) {
    if (!candidate.startsWith('{')) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

export interface DoctorDeps {
  exec: ExecFileFn;
  findExecutable: FindExecutableFn;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type DoctorRun =
  { ran: false; reason: 'cli-missing' } | { ran: true; exitCode: number | undefined; timedOut: boolean; durationMs: number; lint: DoctorLint };

export async function runDoctorLint(overrides: Partial<DoctorDeps> = {}): Promise<DoctorRun> {
  const deps: DoctorDeps = { exec: execFileOutcome, findExecutable: createFindExecutable(), timeoutMs: 30_000, ...overrides };
  const cli = await deps.findExecutable('openclaw');
  if (!cli) return { ran: false, reason: 'cli-missing' };
  const started = performance.now();
  const outcome = await deps.exec(cli, ['doctor', '--lint', '--json'], {
    timeoutMs: deps.timeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const durationMs = Math.round(performance.now() - started);
  const timedOut = !outcome.ok && outcome.reason === 'timeout';
  const exitCode = outcome.ok ? 0 : outcome.exitCode;
  const lint = parseDoctorLint(outcome.stdout);
  if (timedOut) lint.notes.push(`openclaw doctor timed out after ${deps.timeoutMs} ms`);
  else if (!outcome.ok && outcome.reason !== 'exit') lint.notes.push(`openclaw doctor failed: ${outcome.message}`);
  return { ran: true, exitCode, timedOut, durationMs, lint };
}
