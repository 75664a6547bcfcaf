import { SYMPTOM_IDS, SYMPTOM_TABLE } from '../src/diagnosis/symptom-table.js';
import type { ReplyEphemeral } from './deps.js';
import { USAGE_TEXT } from './parse.js';

/** `/gateway help [verdicts]` — usage, and what each verdict means. */
export async function handleHelp(input: { topic?: string; reply: ReplyEphemeral }): Promise<void> {
  if (input.topic === 'verdicts' || input.topic === 'verdict') {
    const rows = SYMPTOM_IDS.map((id) => `• \`${id}\` — ${SYMPTOM_TABLE[id].see}`);
    // One reply per ~2800 characters keeps each inside Slack's section limit.
    let chunk: string[] = ['*What each verdict means* (what you see)'];
    for (const row of rows) {
      if ([...chunk, row].join('\n').length > 2_800) {
        await input.reply(chunk.join('\n'));
        chunk = [];
      }
      chunk.push(row);
    }
    await input.reply(chunk.join('\n'));
    return;
  }
  await input.reply(`${USAGE_TEXT}\n\nA check runs DNS → tailnet → TCP → HTTP health → WebSocket → OpenClaw handshake → RPC → channels, and names the first layer that failed in the runbook's words. \`/gateway help verdicts\` lists them.`);
}
