import type { webApi } from '@slack/bolt';

/**
 * One file into a thread through Slack's upload flow (`files.uploadV2` in @slack/web-api:
 * files.getUploadURLExternal → the bytes to the returned URL → files.completeUploadExternal with
 * `channel_id` and `thread_ts`). Needs the bot scope `files:write` (deploy/slack-app-manifest.yml).
 */
export interface FileUploader {
  upload(file: { channel: string; threadTs: string; filename: string; title: string; content: string }): Promise<{ fileId?: string }>;
}

export function createSlackFileUploader(client: Pick<webApi.WebClient, 'filesUploadV2'>): FileUploader {
  return {
    async upload(file) {
      const result = (await client.filesUploadV2({
        channel_id: file.channel,
        thread_ts: file.threadTs,
        filename: file.filename,
        title: file.title,
        content: file.content,
      })) as { files?: Array<{ files?: Array<{ id?: string }> }> };
      const fileId = result.files?.[0]?.files?.[0]?.id;
      return fileId ? { fileId } : {};
    },
  };
}

/** What a person should do about a failed upload: the scope is the usual one. */
export function uploadFailureHint(error: unknown): string {
  const code = (error as { data?: { error?: string; needed?: string } } | undefined)?.data?.error;
  if (code === 'missing_scope') return 'the Slack app lacks the `files:write` scope: add it (deploy/slack-app-manifest.yml) and reinstall the app';
  if (code === 'not_in_channel' || code === 'channel_not_found') return 'invite the bot to this channel (`/invite @clawops`)';
  return code ? `Slack answered \`${code.replace(/`/g, "'").slice(0, 60)}\`` : 'Slack did not take the file (see the bot log)';
}
