/**
 * Slack's file upload flow, as `files.uploadV2` in @slack/web-api drives it:
 *  1. `files.getUploadURLExternal` {filename, length} → {upload_url, file_id} (both required;
 *     `length` a positive integer; else `invalid_arguments`);
 *  2. a POST of the bytes to `upload_url` (raw, or multipart/form-data as the SDK sends it; Slack
 *     answers 200 "OK - <bytes>", and 404 for a URL it never issued);
 *  3. `files.completeUploadExternal` {files: [{id, title}], channel_id?, thread_ts?,
 *     initial_comment?}: a file never uploaded (or unknown) is `file_not_found`, an unknown channel
 *     `channel_not_found`, `thread_ts` without `channel_id` `invalid_arguments`; with a channel the
 *     file is shared as a message (in the thread, with `thread_ts`).
 * Files need the bot scope `files:write` when the workspace is told the app's scopes.
 */
export interface EmulatedFile {
  id: string;
  filename: string;
  /** The length announced in step 1. */
  length: number;
  title?: string;
  /** What step 2 delivered (the file's bytes), once it has. */
  content?: Buffer;
  completed: boolean;
  channel?: string;
  threadTs?: string;
  /** The share message's ts, once completed into a channel. */
  messageTs?: string;
}

export class FileStore {
  readonly files = new Map<string, EmulatedFile>();
  private count = 0;

  create(filename: string, length: number): EmulatedFile {
    this.count += 1;
    const file: EmulatedFile = { id: `F0FILE${String(this.count).padStart(5, '0')}`, filename, length, completed: false };
    this.files.set(file.id, file);
    return file;
  }

  get(id: string): EmulatedFile | undefined {
    return this.files.get(id);
  }

  /** Completed files, in upload order. */
  get uploaded(): EmulatedFile[] {
    return [...this.files.values()].filter((file) => file.completed);
  }
}

/**
 * The bytes of an upload POST: the first part of a multipart/form-data body (the SDK sends the
 * file as one part), or the raw body.
 */
export function uploadedBytes(contentType: string | undefined, body: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !boundary) return body;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(marker);
  if (start < 0) return body;
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const next = body.indexOf(marker, headersEnd);
  if (headersEnd < 0 || next < 0) return body;
  // The part ends with CRLF before the next boundary.
  return body.subarray(headersEnd + 4, next - 2);
}
