import { diagnose } from '../../../diagnosis/diagnose.js';
import type { ProbeReport } from '../../../report/report.js';
import { renderCheckForTerminal, visible } from '../../../render/terminal.js';
import { utcText } from '../../../render/slack-text.js';
import { CLAWOPS_VERSION } from '../../../version.js';
import { buildFingerprint } from '../build.js';
import { sinceLastGood } from '../diff.js';
import type { GoodFingerprint } from '../model.js';
import { renderFingerprintMarkdown } from '../render-view.js';
import { sinceLastGoodMarkdown } from '../render.js';
import { fingerprintView } from '../view.js';
import { scrubText, scrubValue } from './scrub.js';

/**
 * The ticket bundle (issue 14, item 3): one Markdown file for the change or incident ticket, so
 * that "gateway status, doctor, and a failed session" sit together and can be diffed after the
 * next upgrade. PURE: the check report (verdict, layers, JSON), the last good fingerprint and the
 * diff, `openclaw doctor --lint` when the host agent ran it, the last failed check. Every secret
 * scrubbed (scrub.ts) — the whole text once more at the end, whatever a section forgot — and the
 * size bounded: the JSON appendices go first when it is too large.
 */
export const MAX_TICKET_BYTES = 512 * 1024;

export interface TicketInput {
  gateway: string;
  /** The check the bundle is about (the latest, or one run now). */
  current?: { report: ProbeReport };
  /** The good fingerprints, newest first (the store's good list). */
  good: readonly GoodFingerprint[];
  lastFailure?: { report: ProbeReport };
  secrets: readonly string[];
  now: number;
}

export interface TicketBundle {
  filename: string;
  title: string;
  content: string;
  /** What the message beside the upload says: the state and the diff, one line each. */
  summary: { state?: string; headline?: string; sinceLastGood?: string };
}

const FENCE = '```';

export function buildTicketBundle(input: TicketInput): TicketBundle {
  const { secrets } = input;
  const current = input.current ? { report: scrubValue(input.current.report, secrets) } : undefined;
  const lastFailure = input.lastFailure ? { report: scrubValue(input.lastFailure.report, secrets) } : undefined;
  // Diagnosed here, not handed in: the reports are stored ones (the fingerprint store's latest and
  // last failure) or a terminal check's, and the bundle's verdict texts must come from the
  // SCRUBBED copy, so they cannot carry a secret the scrub took out of the report.
  const diagnosis = current ? diagnose(current.report) : undefined;
  const fingerprint = current && diagnosis ? buildFingerprint(current.report, diagnosis) : undefined;
  const view = fingerprintView(input.gateway, fingerprint, input.good);
  const before = fingerprint ? input.good.find((entry) => entry.firstSeenAt < fingerprint.at) : undefined;
  const since = fingerprint ? sinceLastGood(fingerprint, before) : undefined;

  const head: string[] = [
    `# clawops ticket bundle: ${input.gateway}`,
    '',
    `Generated ${utcText(input.now)} by clawops ${CLAWOPS_VERSION}${current ? ` · ${current.report.gateway.url}` : ''}.`,
    'Secrets scrubbed: tokens, device tokens and every field the logs redact; a token appears only as its 12-hex fingerprint.',
    '',
  ];
  const sections: string[][] = [];
  if (current && diagnosis) {
    sections.push([
      `## Check report (${utcText(Date.parse(current.report.startedAt))}): ${diagnosis.state}`,
      '',
      ...(since ? [`**${sinceLastGoodMarkdown(since)}**`, ''] : []),
      fenced('text', renderCheckForTerminal(current.report, diagnosis, { color: false })),
      '',
    ]);
  } else {
    sections.push(['## Check report', '', `No check of ${input.gateway} is recorded yet.`, '']);
  }
  sections.push(['## Success fingerprint', '', renderFingerprintMarkdown(view) || 'None recorded yet: it is taken after every check that is up.', '']);
  sections.push(['## openclaw doctor --lint (host agent)', '', ...doctorLines(current?.report), '']);
  if (lastFailure && current && lastFailure.report.startedAt === current.report.startedAt) {
    sections.push(['## Last failed check', '', 'The check report above is the latest failure.', '']);
  } else if (lastFailure) {
    const failed = diagnose(lastFailure.report);
    sections.push([
      `## Last failed check (${utcText(Date.parse(lastFailure.report.startedAt))})`,
      '',
      fenced('text', renderCheckForTerminal(lastFailure.report, failed, { color: false })),
      '',
    ]);
  } else sections.push(['## Last failed check', '', 'None recorded.', '']);

  const appendices: string[][] = [];
  if (current) appendices.push(['## Appendix: check report (JSON)', '', fenced('json', JSON.stringify(current.report, null, 2)), '']);
  if (lastFailure && lastFailure.report.startedAt !== current?.report.startedAt)
    appendices.push(['## Appendix: last failed report (JSON)', '', fenced('json', JSON.stringify(lastFailure.report, null, 2)), '']);

  const compose = (extra: string[][]) => scrubText([...head, ...sections.flat(), ...extra.flat()].join('\n'), secrets);
  let content = compose(appendices);
  // Too large: the appendices go, newest last, then a hard cut on a line boundary.
  for (let keep = appendices.length - 1; Buffer.byteLength(content) > MAX_TICKET_BYTES && keep >= 0; keep--) {
    content = `${compose(appendices.slice(0, keep))}\n_(the JSON appendices were left out: the bundle would pass ${MAX_TICKET_BYTES / 1024} KiB)_\n`;
  }
  if (Buffer.byteLength(content) > MAX_TICKET_BYTES) content = `${cutToBytes(content, MAX_TICKET_BYTES - 100)}\n…(cut at ${MAX_TICKET_BYTES / 1024} KiB)\n`;

  const stamp = new Date(input.now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return {
    filename: `clawops-ticket-${input.gateway}-${stamp}.md`,
    title: `clawops ticket bundle: ${input.gateway} (${utcText(input.now)})`,
    content,
    summary: {
      ...(diagnosis ? { state: diagnosis.state, headline: scrubText(diagnosis.headline, secrets) } : {}),
      ...(since ? { sinceLastGood: scrubText(sinceLastGoodMarkdown(since), secrets) } : {}),
    },
  };
}

function doctorLines(report: ProbeReport | undefined): string[] {
  const host = report?.host;
  if (!host) return ['No host agent for this gateway (configure `gateways.<name>.agent` and run `clawops agent` on its host to include the lint).'];
  if (host.agent.status !== 'answered') return [`The host agent did not answer (${host.agent.status}${host.agent.detail ? `: ${host.agent.detail}` : ''}).`];
  const doctor = host.doctor;
  if (!doctor) return ['The host agent did not run `openclaw doctor --lint` for this check.'];
  if (!doctor.ran) return [`Not run: ${doctor.reason ?? 'unknown reason'}.`];
  const lines = [
    `Exit ${doctor.exitCode ?? '?'}${doctor.timedOut ? ' (timed out)' : ''}${doctor.durationMs !== undefined ? ` in ${Math.round(doctor.durationMs)} ms` : ''}; ${doctor.findings.length} finding(s).`,
    '',
  ];
  for (const finding of doctor.findings.slice(0, 100)) {
    lines.push(
      `- **${finding.severity}** \`${finding.id.replace(/`/g, "'")}\`: ${oneLine(finding.message)}${finding.path ? ` (\`${finding.path.replace(/`/g, "'")}\`)` : ''}${finding.fixHint ? ` — fix: ${oneLine(finding.fixHint)}` : ''}`,
    );
  }
  for (const note of doctor.notes.slice(0, 20)) lines.push(`- note: ${oneLine(note)}`);
  return lines;
}

/** Outside text on one line of Markdown: no line breaks or control characters of its own. */
function oneLine(text: string): string {
  return visible(text.replace(/[\r\n\t]+/g, ' ')).slice(0, 1_000);
}

/** A fenced block whose content cannot close the fence early. */
function fenced(language: string, text: string): string {
  return `${FENCE}${language}\n${text.replace(/`{3,}/g, "'''").replace(/\n$/, '')}\n${FENCE}`;
}

function cutToBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, 'utf8').subarray(0, maxBytes);
  const cut = buffer.toString('utf8').replace(/\uFFFD$/, '');
  return cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
}
