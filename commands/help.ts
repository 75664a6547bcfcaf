import { SYMPTOM_IDS, SYMPTOM_TABLE } from '../src/diagnosis/symptom-table.js';
import type { ReplyEphemeral } from './deps.js';
import { USAGE_TEXT } from './parse.js';
import { code, joinText, md, type SlackText } from '../src/render/slack-text.js';

/** `/gateway help [verdicts]` — usage, and what each verdict means. */
export async function handleHelp(input: { topic?: string; reply: ReplyEphemeral }): Promise<void> {
  if (input.topic === 'verdicts' || input.topic === 'verdict') {
    const rows = SYMPTOM_IDS.map((id) => md`• ${code(id)} — ${SYMPTOM_TABLE[id].see}`);
    // One reply per ~2800 characters keeps each inside Slack's section limit.
    let chunk: SlackText[] = [md`*What each verdict means* (what you see)`];
    let length = chunk[0]!.length;
    for (const row of rows) {
      if (length + row.length + 1 > 2_800) {
        await input.reply(joinText(chunk, '\n'));
        chunk = [];
        length = 0;
      }
      chunk.push(row);
      length += row.length + 1;
    }
    await input.reply(joinText(chunk, '\n'));
    return;
  }
  await input.reply(
    md`${USAGE_TEXT}\n\nA check runs DNS → tailnet → TCP → HTTP health → WebSocket → OpenClaw handshake → RPC → channels, and names the first layer that failed in the runbook's words. \`/gateway help verdicts\` lists them.`,
  );
}
