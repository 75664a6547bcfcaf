import type { SlackMessage } from '../../src/render/blocks.js';
import type { SlackPoster } from '../../src/slack/poster.js';

/**
 * A poster that records what would reach Slack (channel, thread, text, blocks) and answers with
 * sequential timestamps: for the job tests that need no Slack at all. `#ops` resolves to `C0OPS`.
 */
export interface Posted {
  channel: string;
  threadTs?: string;
  text: string;
  blocks: string;
  ts: string;
}

export function recordingPoster(): SlackPoster & { posted: Posted[] } {
  const posted: Posted[] = [];
  let next = 1;
  const post = async (target: { channel: string; threadTs?: string }, message: SlackMessage) => {
    const ts = `1700000000.${String(next++).padStart(6, '0')}`;
    // Slack answers a channel name with the channel's id.
    const channel = target.channel === '#ops' ? 'C0OPS' : target.channel;
    posted.push({ channel, ...(target.threadTs ? { threadTs: target.threadTs } : {}), text: message.text, blocks: JSON.stringify(message.blocks), ts });
    return { channel, ts };
  };
  return {
    posted,
    post,
    postOrUpdate: (target, message) => post(target, message),
    postOnce: (target, message) => post(target, message),
    update: async () => undefined,
    ephemeral: async () => undefined,
    findByKey: async () => undefined,
    messageState: async () => ({}),
  };
}
