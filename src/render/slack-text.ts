/**
 * Text for Slack, escaped by construction. Slack reads `<…>` as a mention, a channel, a date or a
 * link anywhere in a message — in mrkdwn, in the `text` fallback, and where plain_text is parsed
 * — so one gateway whose version says `<!channel>` could page a whole incident channel. The rule,
 * enforced by the types: every block builder (blocks.ts) takes a `SlackText`, and a `SlackText`
 * only comes from here:
 *
 * - `md\`…\`` escapes `&`, `<` and `>` in everything — the literal parts and every interpolated
 *   string alike — and lets interpolated `SlackText` through as it is (so nothing is escaped twice);
 * - `mention(userId)`, `channelMention(channelId)`, `link(url, label)` and `slackDate(ms)` are the
 *   only producers of a raw `<`: they take ids, URLs and times, never free text, and check them.
 *
 * So a new renderer cannot forget: a plain string does not type-check where a message is built,
 * and a string interpolated into `md` is escaped whatever it holds. PURE.
 */
const MADE_HERE: unique symbol = Symbol('SlackText');

export class SlackText {
  /** The escaped text, ready for a mrkdwn or plain_text object. */
  readonly mrkdwn: string;
  /** Only this module holds the key: elsewhere, a SlackText comes from `md` and the helpers. */
  constructor(key: typeof MADE_HERE, escaped: string) {
    if (key !== MADE_HERE) throw new TypeError('SlackText is made by md`…` and the helpers in slack-text.ts');
    this.mrkdwn = escaped;
  }
  get length(): number {
    return this.mrkdwn.length;
  }
  /**
   * Interpolated into a plain string (a log line, an audit entry), it reads as the person reads it.
   * Safe: that string can only reach Slack through md`…` again, which escapes it anew.
   */
  toString(): string {
    return plainOf(this);
  }
}

const made = (escaped: string): SlackText => new SlackText(MADE_HERE, escaped);

export type Interpolation = SlackText | string | number;

/** `&`, `<`, `>` as Slack wants them; nothing else (Slack decodes only these three). */
function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function piece(value: Interpolation): string {
  return value instanceof SlackText ? value.mrkdwn : escape(String(value));
}

/** The tagged template: `md\`*${name}* is DOWN since ${slackDate(ms)}\``. */
export function md(strings: TemplateStringsArray, ...values: Interpolation[]): SlackText {
  let out = escape(strings[0] ?? '');
  values.forEach((value, index) => {
    out += piece(value) + escape(strings[index + 1] ?? '');
  });
  return made(out);
}

/** A plain string from anywhere, escaped: the same as md`${value}`. */
export function slackText(value: Interpolation): SlackText {
  return value instanceof SlackText ? value : made(escape(String(value)));
}

export const EMPTY = made('');

/** Joins pieces (strings are escaped, SlackText kept). */
export function joinText(parts: readonly Interpolation[], separator: Interpolation = ''): SlackText {
  const sep = piece(separator);
  return made(parts.map(piece).join(sep));
}

const USER_ID = /^[UW][A-Z0-9]{2,30}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;

/** `<@U…>` for a Slack user id we were given by Slack; anything else is shown as text. */
export function mention(userId: string): SlackText {
  return USER_ID.test(userId) ? made(`<@${userId}>`) : slackText(userId);
}

/** `<#C…>` for a channel id; a `#name` (or anything else) is shown as text. */
export function channelMention(channel: string): SlackText {
  return CHANNEL_ID.test(channel) ? made(`<#${channel}>`) : slackText(channel);
}

/**
 * `<url|label>` for an http(s) URL we built or Slack gave us (a permalink). A URL that is not one,
 * or that carries the characters Slack's link syntax uses, is left out: the label alone remains.
 */
export function link(url: string | undefined, label: Interpolation): SlackText {
  const text = slackText(label);
  if (!url || /[\s<>|]/.test(url)) return text;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return text;
  return made(`<${url.replace(/&/g, '&amp;')}|${text.mrkdwn}>`);
}

/** `2026-09-14 14:02 UTC`: the fallback for clients that cannot show date tokens. */
export function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A Slack date token: rendered in the reader's own time zone. */
export function slackDate(ms: number): SlackText {
  const seconds = Math.floor(ms / 1000);
  if (!Number.isFinite(seconds)) return slackText('?');
  return made(`<!date^${seconds}^{date_short_pretty} {time}|${utcText(ms)}>`);
}

/** Inline code: backticks in the value become `'` so it cannot close the span early. */
export function code(value: string): SlackText {
  return made(`\`${escape(value.replace(/`/g, "'"))}\``);
}

/** `*value*` (stars inside the value are dropped so that it cannot end the bold early). */
export function bold(value: Interpolation): SlackText {
  const inner = value instanceof SlackText ? value.mrkdwn : escape(String(value).replace(/\*/g, ''));
  return made(`*${inner}*`);
}

/** The same text without mrkdwn emphasis stars (for a `text` fallback built from block lines). */
export function withoutStars(text: SlackText): SlackText {
  return made(text.mrkdwn.replace(/\*/g, ''));
}

/**
 * At most `max` characters, ending in `…` when cut. Never cuts inside an entity (`&amp;`) or one
 * of our own `<…>` tokens, and never splits a surrogate pair: a cut token is dropped whole.
 */
export function truncateText(text: SlackText, max: number): SlackText {
  const value = text.mrkdwn;
  if (value.length <= max) return text;
  let cut = value.slice(0, Math.max(0, max - 1));
  const open = cut.lastIndexOf('<');
  if (open !== -1 && cut.indexOf('>', open) === -1) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && cut.indexOf(';', amp) === -1) cut = cut.slice(0, amp);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return made(`${cut}…`);
}

/** The text as a person reads it, for logs and the audit stream (never for Slack). */
export function plainOf(text: SlackText): string {
  return text.mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
