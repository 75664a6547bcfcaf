import type { Logger } from '../../log.js';
import { renderOffboardingPrompt, type PromptOptions } from './render/offboarding-blocks.js';
import { message, section, type Block, type SlackMessage } from '../../render/blocks.js';
import { truncateText, type SlackText } from '../../render/slack-text.js';
import type { SlackPoster } from '../../slack/poster.js';
import type { Offboarding } from './model.js';

/**
 * The checklist's messages: the channel prompt (whose thread is where everything is said) and
 * its mirrors (the DM to whoever ran the command), all updated in place from the stored record.
 * A failed update is logged, not thrown: the record is the truth and the next change re-renders.
 */
export interface ChecklistMessages {
  /** Re-renders the prompt and its mirrors from the record. */
  refresh(offboarding: Offboarding): Promise<void>;
  /** One line in the prompt's thread (every action is said there). */
  note(offboarding: Offboarding, text: SlackText, detail?: Block[]): Promise<void>;
  render(offboarding: Offboarding): SlackMessage;
}

export function createChecklistMessages(deps: { poster: SlackPoster; options: PromptOptions; logger: Logger }): ChecklistMessages {
  const render = (offboarding: Offboarding) => renderOffboardingPrompt(offboarding, deps.options);
  return {
    render,
    async refresh(offboarding) {
      const rendered = render(offboarding);
      const locations = [...(offboarding.prompt ? [offboarding.prompt] : []), ...offboarding.mirrors];
      await Promise.all(
        locations.map((location) =>
          deps.poster
            .update(location.channel, location.ts, rendered)
            .catch((error: unknown) =>
              deps.logger.warn({ err: error, offboarding: offboarding.id, channel: location.channel }, 'could not update the offboarding checklist'),
            ),
        ),
      );
    },
    async note(offboarding, text, detail = []) {
      if (!offboarding.prompt) return;
      const blocks = [section(truncateText(text, 2_900)), ...detail];
      await deps.poster
        .post({ channel: offboarding.prompt.channel, threadTs: offboarding.prompt.ts }, message(text, blocks.slice(0, 50)))
        .catch((error: unknown) => deps.logger.warn({ err: error, offboarding: offboarding.id }, 'could not post in the offboarding thread'));
    },
  };
}
