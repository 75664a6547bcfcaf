import type { CheckResult } from '../check/checker.js';
import type { Verdict } from '../diagnosis/verdict.js';
import { actions, button, capBlocks, codeSection, context, divider, header, message, section, truncate, type Block, type SlackMessage } from './blocks.js';
import { code, joinText, md, mention, type SlackText } from './slack-text.js';
import { formatMs } from './terminal.js';
import { hostViewLine } from './host-line.js';
import { SEVERITY_ICON, STATE_ICON } from './icons.js';

/** What a check message needs besides the results: who asked, and what the Re-run button re-runs. */
export interface CheckMessageContext {
  requestedBy?: string;
  rerun?: { gateways: string[] };
  /** Extra blocks appended after the results (the offboarding reminder). */
  footer?: Block[];
  /** Lines shown with a gateway's verdict, by gateway name (the fingerprint diff). */
  annotations?: ReadonlyMap<string, SlackText[]>;
}

export const RERUN_ACTION_ID = 'gateway_rerun';

/** The in-channel "checking…" placeholder, updated in place when the result arrives. */
export function renderCheckPending(gateways: string[], requestedBy?: string): SlackMessage {
  const names = joinText(gateways.map(code), ', ');
  const text = md`⏳ Checking ${gateways.join(', ')}…`;
  return message(text, [section(md`⏳ Checking ${names}…`), ...(requestedBy ? [context([md`requested by ${mention(requestedBy)}`])] : [])]);
}

/** A check that could not run (queue down, worker error): said plainly, in place of the placeholder. */
export function renderCheckFailed(gateways: string[], why: string): SlackMessage {
  const text = md`⚠️ Could not check ${gateways.join(', ')}: ${why}`;
  return message(text, [section(md`⚠️ Could not check ${joinText(gateways.map(code), ', ')}: ${why}`)]);
}

export function renderCheckResults(results: CheckResult[], ctx: CheckMessageContext = {}): SlackMessage {
  const annotationsOf = (gateway: string): Block[] => {
    const lines = ctx.annotations?.get(gateway) ?? [];
    return lines.length ? [context(lines)] : [];
  };
  const blocks = results.length === 1 ? singleResult(results[0]!, annotationsOf) : fleetResults(results, annotationsOf);
  if (ctx.requestedBy) blocks.push(context([md`requested by ${mention(ctx.requestedBy)}`]));
  const tail: Block[] = [...(ctx.footer ?? [])];
  if (ctx.rerun) {
    tail.push(
      actions('check_actions', [
        button({ actionId: RERUN_ACTION_ID, text: md`↻ Re-run`, value: JSON.stringify({ gateways: ctx.rerun.gateways }).slice(0, 2000) }),
      ]),
    );
  }
  const capped = capBlocks(blocks, (cut) => md`…${cut} more block(s) left out (Slack allows 50): run \`clawops check\` for the full report`);
  const room = 50 - tail.length;
  const body = capped.length > room ? [...capped.slice(0, room - 1), context([md`…more left out (Slack allows 50 blocks)`])] : capped;
  return message(fallbackText(results), [...body, ...tail]);
}

function fallbackText(results: CheckResult[]): SlackText {
  if (results.length === 1) {
    const { diagnosis } = results[0]!;
    return md`${STATE_ICON[diagnosis.state]} ${diagnosis.headline}`;
  }
  const unhealthy = results.filter((result) => result.diagnosis.state !== 'healthy');
  const details = unhealthy.length ? `: ${unhealthy.map((result) => result.diagnosis.headline).join('; ')}` : '';
  return md`${unhealthy.length === 0 ? '✅' : '🔴'} ${results.length - unhealthy.length}/${results.length} gateways healthy${details}`;
}

function singleResult({ report, diagnosis }: CheckResult, annotationsOf: (gateway: string) => Block[]): Block[] {
  const state = diagnosis.state === 'healthy' ? 'healthy' : diagnosis.state === 'degraded' ? 'degraded' : 'UNHEALTHY';
  const primary = diagnosis.verdicts[0];
  const title = `${STATE_ICON[diagnosis.state]} ${report.gateway.name} ${state}${primary && diagnosis.state !== 'healthy' ? ` — ${primary.id}` : ''}`;
  const blocks: Block[] = [header(md`${title}`)];
  const expected = diagnosis.version.expected && diagnosis.version.expected !== diagnosis.version.running ? ` (expected ${diagnosis.version.expected})` : '';
  const facts = [
    md`*URL* ${report.gateway.url}`,
    md`*OpenClaw* ${diagnosis.version.running ?? 'unknown'}${expected}`,
    md`*Check* ${formatMs(report.durationMs)}${diagnosis.failedLayer ? md` · first failed layer: *${diagnosis.failedLayer}*` : ''}`,
    ...[hostViewLine(report)].filter((line): line is SlackText => line !== undefined),
  ];
  blocks.push(context(facts));
  if (diagnosis.suppressed) blocks.push(section(md`*clawops itself is off the tailnet*: gateway verdicts are suppressed until this node is back.`));
  for (const verdict of diagnosis.verdicts.slice(0, 6)) blocks.push(...verdictBlocks(verdict));
  if (diagnosis.verdicts.length > 6) blocks.push(context([md`…and ${diagnosis.verdicts.length - 6} more finding(s)`]));
  blocks.push(...annotationsOf(report.gateway.name));
  blocks.push(codeSection(layerTable(report)));
  return blocks;
}

export function verdictBlocks(verdict: Verdict): Block[] {
  const body = joinText(
    [
      md`${SEVERITY_ICON[verdict.severity]} *${verdict.id}* — ${verdict.title}${verdict.layer ? md` _(${verdict.layer})_` : ''}`,
      md`*What you see:* ${verdict.see}`,
      md`*Suspect first:* ${verdict.suspect}`,
      md`*What to do:* ${verdict.do}`,
      ...verdict.notes.map((note) => md`:point_right: ${note}`),
    ],
    '\n',
  );
  const evidence = joinText(
    verdict.evidence.map((item) => code(truncate(item, 400))),
    '  ·  ',
  );
  return [section(body), ...(evidence.length ? [context([md`evidence: ${evidence}`])] : [])];
}

function layerTable(report: CheckResult['report']): string[] {
  const width = Math.max(...report.layers.map((layer) => layer.layer.length));
  return report.layers
    .filter((layer) => layer.status !== 'skipped')
    .map((layer) => {
      const status = layer.status === 'not-reached' ? 'not reached' : layer.status === 'failed' ? 'FAILED' : layer.status;
      const time = layer.status === 'not-reached' ? '' : formatMs(layer.durationMs);
      return `${layer.layer.padEnd(width)}  ${status.padEnd(11)} ${time.padStart(8)}  ${truncate(layer.summary, 110)}`;
    });
}

/** Many gateways: one line each, details only for those that are not healthy. */
function fleetResults(results: CheckResult[], annotationsOf: (gateway: string) => Block[]): Block[] {
  const unhealthy = results.filter((result) => result.diagnosis.state !== 'healthy');
  const blocks: Block[] = [header(md`${unhealthy.length === 0 ? '✅' : '🔴'} ${results.length - unhealthy.length}/${results.length} gateways healthy`)];
  const lines = results.map(
    ({ report, diagnosis }) =>
      md`${STATE_ICON[diagnosis.state]} *${report.gateway.name}* ${diagnosis.state === 'healthy' ? `${diagnosis.version.running ?? ''} · ${formatMs(report.durationMs)}` : `— ${diagnosis.verdicts[0]?.id ?? diagnosis.state}`}`,
  );
  for (let index = 0; index < lines.length; index += 20) blocks.push(section(joinText(lines.slice(index, index + 20), '\n')));
  for (const { report, diagnosis } of unhealthy.slice(0, 10)) {
    blocks.push(divider(), section(md`*${report.gateway.name}*`));
    const primary = diagnosis.verdicts[0];
    if (primary) blocks.push(...verdictBlocks(primary));
    blocks.push(...annotationsOf(report.gateway.name));
  }
  if (unhealthy.length > 10) blocks.push(context([md`…and ${unhealthy.length - 10} more unhealthy gateway(s): check them one by one for details`]));
  return blocks;
}
