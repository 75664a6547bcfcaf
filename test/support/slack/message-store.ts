/**
 * What the app has posted, as a channel would show it: messages keyed by channel and ts, with
 * the edit history `chat.update` leaves behind, plus ephemeral messages (which Slack never
 * stores in the channel, so they live apart).
 */
export interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface StoredMessage extends MessageContent {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  bot_id: string;
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

/** Slack's ts: seconds and microseconds. Fixed epoch and 100 µs steps keep them unique, increasing and readable. */
export class TsClock {
  private tick = 0;
  next(): string {
    this.tick += 1;
    const micros = this.tick * 100;
    const seconds = 1_700_000_000 + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
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
    message.edits.push(previous);
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    return message;
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
