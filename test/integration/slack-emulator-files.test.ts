/**
 * The emulator's file upload flow against the real @slack/web-api client: `filesUploadV2` runs
 * its three steps unmodified, and the emulator refuses what Slack refuses (a file never uploaded,
 * a thread without a channel, a missing `files:write`).
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../support/slack-emulator.js';

describe('emulated files.uploadV2', () => {
  let emu: SlackEmulator;
  let limited: SlackEmulator;
  let client: webApi.WebClient;

  beforeAll(async () => {
    emu = await startSlackEmulator({ channels: [{ id: 'C0FILES', name: 'files' }] });
    limited = await startSlackEmulator({ channels: [{ id: 'C0FILES', name: 'files' }], botScopes: ['chat:write'] });
    client = new webApi.WebClient(emu.identity.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await emu?.close();
    await limited?.close();
  });

  it('the SDK uploads one file into a thread: the bytes arrive, the share is a reply', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0FILES', text: 'parent' });
    const result = await client.filesUploadV2({ channel_id: 'C0FILES', thread_ts: parent.ts!, filename: 'bundle.md', title: 'Bundle', content: '# héllo\n' });
    expect(result.ok).toBe(true);
    const file = emu.files.at(-1)!;
    expect(file).toMatchObject({ filename: 'bundle.md', title: 'Bundle', channel: 'C0FILES', threadTs: parent.ts });
    expect(file.content!.toString('utf8')).toBe('# héllo\n');
    expect(emu.thread('C0FILES', parent.ts!).map((message) => message.files?.[0]?.id)).toEqual([file.id]);
  });

  it('refuses a completion of a file never uploaded, and a thread without a channel', async () => {
    const url = await client.files.getUploadURLExternal({ filename: 'x.md', length: 3 });
    await expect(client.files.completeUploadExternal({ files: [{ id: url.file_id! }], channel_id: 'C0FILES' })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
    await expect(client.files.getUploadURLExternal({ filename: 'x.md', length: 0 })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(client.apiCall('files.completeUploadExternal', { files: JSON.stringify([{ id: url.file_id }]), thread_ts: '1.2' })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
  });

  it('without files:write: missing_scope, and nothing is stored', async () => {
    const other = new webApi.WebClient(limited.identity.botToken, { slackApiUrl: limited.apiUrl, retryConfig: { retries: 0 } });
    await expect(other.filesUploadV2({ channel_id: 'C0FILES', filename: 'x.md', content: 'x' })).rejects.toMatchObject({
      data: { error: 'missing_scope', needed: 'files:write' },
    });
    expect(limited.files).toEqual([]);
  });
});
