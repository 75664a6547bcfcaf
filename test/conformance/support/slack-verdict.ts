import type { BotHarness } from '../../support/bot-harness.js';
import type { ApiCall } from '../../support/slack-emulator.js';

/**
 * `/gateway check <name>` in the incident channel, as the conformance suites ask it: the verdict
 * the bot posts in place of its "checking…" message (text and blocks as JSON).
 *
 * The enqueue has a 1.5 s deadline (inside Slack's 3 s ack). On this 2-core machine, with a real
 * Gateway starting or reloading its config and the other suites running beside it, that deadline
 * can pass, and the bot then answers "the check queue is unavailable". That answer is asked again,
 * twice at most: these suites prove the verdict against the real Gateway, the e2e suite the queue.
 */
export async function postedVerdict(slack: BotHarness, name: string, attempt = 1): Promise<{ text: string; blocks: string; calls: string }> {
  const since = slack.emu.mark();
  await slack.gateway(`check ${name}`);
  const placeholder = await slack.emu.waitForCall('chat.postMessage', (call: ApiCall) => String(call.params.text).startsWith('⏳'), { since });
  const ts = (placeholder.response as { ts: string }).ts;
  const update = await slack.emu.waitForCall('chat.update', (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳'), {
    since,
    timeoutMs: 30_000,
  });
  const text = String(update.params.text);
  if (text.includes('the check queue is unavailable') && attempt < 3) return postedVerdict(slack, name, attempt + 1);
  return { text, blocks: JSON.stringify(update.params.blocks), calls: JSON.stringify(slack.emu.calls) };
}
