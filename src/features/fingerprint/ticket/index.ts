import type { Logger } from '../../../log.js';
import { context, message, section } from '../../../render/blocks.js';
import { md, mention, type SlackText } from '../../../render/slack-text.js';
import type { SlackPoster } from '../../../slack/poster.js';
import type { FingerprintStore } from '../store.js';
import { buildTicketBundle, type TicketBundle } from './bundle.js';
import { uploadFailureHint, type FileUploader } from './slack-upload.js';

/**
 * The ticket bundle (issue 14, item 3): `/gateway ticket <name>` posts a line in the channel and
 * uploads the bundle into its thread; `clawops ticket <name>` writes the same file (cli.ts). What it
 * contributes: `bundle(gateway)` from what the store keeps (the latest check, the good
 * fingerprints, the last failed check), and `postToSlack`.
 */
export interface TicketFeatureDeps {
  fingerprints: Pick<FingerprintStore, 'latest' | 'goodHistory' | 'lastFailure'>;
  /** The secret values to scrub (read when a bundle is built; see secrets.ts). */
  secrets: () => Promise<string[]>;
  poster?: Pick<SlackPoster, 'post'>;
  uploader?: FileUploader;
  logger?: Logger;
  now: () => number;
}

export type TicketPostOutcome = { ok: true; channel: string; ts: string; fileId?: string } | { ok: false; reason: SlackText };

export interface TicketFeature {
  bundle(gateway: string): Promise<TicketBundle & { recorded: boolean }>;
  postToSlack(input: { gateway: string; channel: string; requestedBy: string }): Promise<TicketPostOutcome>;
}

const STATE_ICON: Record<string, string> = { healthy: '✅', degraded: '🟡', unhealthy: '🔴' };

export function createTicketFeature(deps: TicketFeatureDeps): TicketFeature {
  const bundle: TicketFeature['bundle'] = async (gateway) => {
    const [latest, good, lastFailure, secrets] = await Promise.all([
      deps.fingerprints.latest(gateway),
      deps.fingerprints.goodHistory(gateway),
      deps.fingerprints.lastFailure(gateway),
      deps.secrets(),
    ]);
    const built = buildTicketBundle({
      gateway,
      ...(latest ? { current: { report: latest.report } } : {}),
      good,
      ...(lastFailure ? { lastFailure: { report: lastFailure.report } } : {}),
      secrets,
      now: deps.now(),
    });
    return { ...built, recorded: latest !== undefined };
  };
  return {
    bundle,
    async postToSlack(input) {
      if (!deps.poster || !deps.uploader)
        return {
          ok: false,
          reason: md`ticket bundles are not available in this process (no Slack client)`,
        };
      const built = await bundle(input.gateway);
      if (!built.recorded)
        return {
          ok: false,
          reason: md`no check of ${input.gateway} is recorded yet: run \`/gateway check ${input.gateway}\` first, then \`/gateway ticket ${input.gateway}\``,
        };
      const state = built.summary.state ? `${STATE_ICON[built.summary.state] ?? ''} ${built.summary.headline ?? built.summary.state}` : '';
      const lines = [
        md`🎫 *Ticket bundle for ${input.gateway}* — requested by ${mention(input.requestedBy)}`,
        ...(state ? [md`${state}`] : []),
        ...(built.summary.sinceLastGood ? [md`🧬 ${built.summary.sinceLastGood}`] : []),
      ];
      const text = md`🎫 Ticket bundle for ${input.gateway}: the file is in the thread`;
      const posted = await deps.poster.post(
        { channel: input.channel },
        message(text, [
          section(lines.reduce((all, line) => md`${all}\n${line}`)),
          context([
            md`in the thread: the check report, the success fingerprint and its diff, the doctor lint (host agent), the last failed check — secrets scrubbed`,
          ]),
        ]),
      );
      try {
        const uploaded = await deps.uploader.upload({
          channel: posted.channel,
          threadTs: posted.ts,
          filename: built.filename,
          title: built.title,
          content: built.content,
        });
        return { ok: true, channel: posted.channel, ts: posted.ts, ...uploaded };
      } catch (error) {
        deps.logger?.warn({ err: error, gateway: input.gateway }, 'ticket bundle upload failed');
        return { ok: false, reason: md`the file could not be uploaded: ${uploadFailureHint(error)}` };
      }
    },
  };
}

export { buildTicketBundle, MAX_TICKET_BYTES, type TicketBundle, type TicketInput } from './bundle.js';
export { scrubText, scrubValue, REDACTED } from './scrub.js';
export { knownSecrets } from './secrets.js';
export { createSlackFileUploader, type FileUploader } from './slack-upload.js';
