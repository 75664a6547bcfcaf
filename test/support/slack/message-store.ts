/**
 * What the app has posted, as a channel would show it: messages keyed by channel and ts, with
 * the edit history `chat.update` leaves behind, plus ephemeral messages (which Slack never
 * stores in the channel, so they live apart).
 */
export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  /** Slack message metadata (`{event_type, event_payload}`), returned by history with `include_all_metadata`. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Files shared with the message (files.completeUploadExternal). */
  files?: Array<{ id: string; name: string; title: string }>;
}

export interface StoredMessage extends MessageContent {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  /** Set for messages an app posted; absent for a person's message. */
  bot_id?: string;
  /** `bot_message` for another integration's post. */
  subtype?: string;
  /** Earlier versions, oldest first; the current content is on the message itself. */
  edits: Array<MessageContent & { replacedAt: number }>;
  deleted: boolean;
}

export interface EphemeralMessage extends MessageContent {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
}

/**
 * Slack's ts: wall-clock seconds and microseconds, as Slack's are (clients compute `oldest`
 * from their own clock for conversations.history), strictly increasing even within a microsecond.
 */
export class TsClock {
  private last = 0;
  next(): string {
    const micros = Math.max(this.last + 1, Math.floor((performance.timeOrigin + performance.now()) * 1_000));
    this.last = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }
}

export class MessageStore {
  readonly byChannel = new Map<string, StoredMessage[]>();
  readonly ephemerals: EphemeralMessage[] = [];

  post(message: Omit<StoredMessage, 'edits' | 'deleted'>): StoredMessage {
    const stored: StoredMessage = { ...message, edits: [], deleted: false };
    const list = this.byChannel.get(message.channel) ?? [];
    list.push(stored);
    this.byChannel.set(message.channel, list);
    return stored;
  }

  get(channel: string, ts: string): StoredMessage | undefined {
    return this.byChannel.get(channel)?.find((m) => m.ts === ts);
  }

  /** Replace the content (only the fields given, as chat.update does) and keep the old version. */
  update(channel: string, ts: string, content: MessageContent, now: number): StoredMessage | undefined {
    const message = this.get(channel, ts);
    if (message === undefined || message.deleted) return undefined;
    const previous: MessageContent & { replacedAt: number } = { replacedAt: now };
    if (message.text !== undefined) previous.text = message.text;
    if (message.blocks !== undefined) previous.blocks = message.blocks;
    if (message.attachments !== undefined) previous.attachments = message.attachments;
    if (message.metadata !== undefined) previous.metadata = message.metadata;
    message.edits.push(previous);
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    if (content.metadata !== undefined) message.metadata = content.metadata;
    return message;
  }

  /** A channel's history as conversations.history shows it: top-level messages, newest first. */
  history(channel: string): StoredMessage[] {
    return (this.byChannel.get(channel) ?? [])
      .filter((m) => !m.deleted && (m.thread_ts === undefined || m.thread_ts === m.ts))
      .sort((a, b) => Number(b.ts) - Number(a.ts));
  }

  delete(channel: string, ts: string): boolean {
    const message = this.get(channel, ts);
    if (message === undefined || message.deleted) return false;
    message.deleted = true;
    return true;
  }

  /** Replies in a thread, oldest first (the parent is not included). */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return (this.byChannel.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }
}
