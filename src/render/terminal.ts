import type { Diagnosis, Verdict } from '../diagnosis/verdict.js';
import type { LayerStatus, ProbeReport } from '../report/report.js';

/**
 * The terminal rendering of a check: a compact layer table, then the verdicts in the runbook's
 * three columns. PURE; colour only when the caller says the output is a TTY.
 */
export interface TerminalOptions {
  color: boolean;
  /** Lines shown after the verdicts (the fingerprint diff since the last good check), already made visible. */
  annotations?: readonly string[];
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/**
 * Text from outside (a summary, a close reason, a version) shown as it is, but with control
 * characters made visible: a gateway must not move the cursor, recolour the terminal, or start a
 * line of its own ("\n✓ prod healthy") in clawops' output.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
type Style = keyof typeof CODES;

export function renderCheckForTerminal(report: ProbeReport, diagnosis: Diagnosis, options: TerminalOptions): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const stateStyle: Style = diagnosis.state === 'healthy' ? 'green' : diagnosis.state === 'degraded' ? 'yellow' : 'red';
  const state = diagnosis.state === 'healthy' ? 'HEALTHY' : diagnosis.state === 'degraded' ? 'DEGRADED' : 'UNHEALTHY';
  const version = diagnosis.version.running ? ` · OpenClaw ${visible(diagnosis.version.running)}` : '';
  lines.push(
    `${paint('bold', visible(report.gateway.name))}  ${visible(report.gateway.url)}  ${paint(stateStyle, state)}${version} · ${Math.round(report.durationMs)} ms`,
  );

  const rows = report.layers.map(
    (layer) =>
      [
        layer.layer,
        statusWord(layer.status),
        layer.status === 'skipped' || layer.status === 'not-reached' ? '—' : formatMs(layer.durationMs),
        visible(layer.summary),
      ] as const,
  );
  const width = [
    Math.max(5, ...rows.map((row) => row[0].length)),
    Math.max(6, ...rows.map((row) => row[1].length)),
    Math.max(4, ...rows.map((row) => row[2].length)),
  ];
  lines.push(paint('dim', `  ${'LAYER'.padEnd(width[0]!)}  ${'RESULT'.padEnd(width[1]!)}  ${'TIME'.padStart(width[2]!)}  EVIDENCE`));
  report.layers.forEach((layer, index) => {
    const row = rows[index]!;
    const style = styleOf(layer.status);
    const result = style ? paint(style, row[1].padEnd(width[1]!)) : row[1].padEnd(width[1]!);
    const line = `  ${row[0].padEnd(width[0]!)}  ${result}  ${row[2].padStart(width[2]!)}  ${row[3]}`;
    lines.push(layer.status === 'skipped' || layer.status === 'not-reached' ? paint('dim', line) : line);
  });
  // One row per port probed on the public address (the Gateway's own and the URL's).
  for (const e of report.exposureChecks ?? (report.exposure ? [report.exposure] : [])) {
    lines.push(
      `  ${'exposure'.padEnd(width[0]!)}  ${e.tcp === 'open' ? paint('red', 'OPEN'.padEnd(width[1]!)) : paint('green', 'closed'.padEnd(width[1]!))}  ${formatMs(e.durationMs).padStart(width[2]!)}  ${visible(e.address)}:${e.port} ${e.tcp}`,
    );
  }

  if (diagnosis.verdicts.length === 0) {
    lines.push('', paint('green', `✓ ${visible(diagnosis.headline)}`));
  }
  for (const verdict of diagnosis.verdicts) lines.push('', ...renderVerdict(verdict, paint));
  if (options.annotations?.length) lines.push('', ...options.annotations.map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

function renderVerdict(verdict: Verdict, paint: (style: Style, text: string) => string): string[] {
  const mark =
    verdict.severity === 'critical' || verdict.severity === 'error'
      ? paint('red', '✗')
      : verdict.severity === 'warning'
        ? paint('yellow', '!')
        : paint('dim', 'i');
  const label = (text: string) => paint('dim', text.padEnd(14));
  const lines = [
    `${mark} ${paint('bold', verdict.id)} — ${verdict.title}${verdict.layer ? paint('dim', ` (${verdict.layer})`) : ''} ${paint('dim', `[${verdict.severity}]`)}`,
  ];
  lines.push(`  ${label('what you see')} ${visible(verdict.see)}`);
  lines.push(`  ${label('suspect first')} ${visible(verdict.suspect)}`);
  lines.push(`  ${label('what to do')} ${visible(verdict.do)}`);
  verdict.evidence.forEach((item, index) => lines.push(`  ${label(index === 0 ? 'evidence' : '')} ${visible(item)}`));
  verdict.notes.forEach((item, index) => lines.push(`  ${label(index === 0 ? 'note' : '')} ${visible(item)}`));
  return lines;
}

function statusWord(status: LayerStatus): string {
  return status === 'not-reached' ? 'not reached' : status === 'failed' ? 'FAILED' : status;
}

function styleOf(status: LayerStatus): Style | undefined {
  return status === 'ok' ? 'green' : status === 'failed' ? 'red' : status === 'warn' ? 'yellow' : undefined;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}
