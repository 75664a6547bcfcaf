import type { SlackEmulator } from './slack-emulator.js';

/**
 * The check behind "no outside text can make clawops post a live mention": every string clawops
 * sent to Slack (message text, every block string, ephemeral replies, response_url bodies) is
 * walked, and every `<` in it must open a token clawops built itself — a mention of a user it was
 * told about, a channel it posts to, a date token, a link to a permalink it was given. Anything else
 * (`<!channel>`, `<@U0VICTIM>`, `<http://evil|click>`, a broken `<`) is reported with where it was.
 * Entities escaped twice (`&amp;lt;`) are reported too: escaping must happen once, at the edge.
 */
export interface AllowedTokens {
  /** User ids clawops may mention (the requester, approvers, maintainers). */
  users?: readonly string[];
  /** Channel ids clawops may link (`<#C…>`). */
  channels?: readonly string[];
  /** URL prefixes of links clawops builds (the workspace's permalinks). */
  linkPrefixes?: readonly string[];
}

export interface UnsafeToken {
  where: string;
  token: string;
  text: string;
}

/** Keys whose strings Slack never renders (button payloads, ids). */
const NOT_RENDERED = new Set(['value', 'action_id', 'block_id', 'channel', 'ts', 'thread_ts', 'user', 'response_type', 'style', 'type']);

function allowed(token: string, ok: AllowedTokens): boolean {
  const user = /^<@([UW][A-Z0-9]+)>$/.exec(token);
  if (user) return (ok.users ?? []).includes(user[1]!);
  const channel = /^<#([CGD][A-Z0-9]+)>$/.exec(token);
  if (channel) return (ok.channels ?? []).includes(channel[1]!);
  if (/^<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]+>$/.test(token)) return true;
  const linked = /^<(https?:\/\/[^\s<>|]+)\|[^<>]*>$/.exec(token);
  if (linked) return (ok.linkPrefixes ?? []).some((prefix) => linked[1]!.startsWith(prefix));
  return false;
}

/** Every unsafe token in `value`, walked recursively; `where` is a JSON-pointer-ish path. */
export function unsafeTokens(value: unknown, ok: AllowedTokens = {}, where = ''): UnsafeToken[] {
  if (typeof value === 'string') {
    const found: UnsafeToken[] = [];
    for (const match of value.matchAll(/<[^<>]*>?/g)) if (!allowed(match[0], ok)) found.push({ where, token: match[0], text: value.slice(0, 200) });
    for (const match of value.matchAll(/&amp;(?:lt|gt|amp);/g)) found.push({ where, token: `double escaped ${match[0]}`, text: value.slice(0, 200) });
    return found;
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => unsafeTokens(item, ok, `${where}/${index}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (NOT_RENDERED.has(key) ? [] : unsafeTokens(item, ok, `${where}/${key}`)));
  }
  return [];
}

const POSTING = new Set([
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'chat.scheduleMessage',
  'views.open',
  'views.update',
  'views.push',
  'views.publish',
]);

/** What clawops said in Slack so far: every posting call's text and blocks, and every response_url body. */
export function everythingSaid(emu: SlackEmulator): Array<{ where: string; content: unknown }> {
  const calls = emu.calls
    .filter((call) => POSTING.has(call.method))
    .map((call, index) => ({
      where: `${call.method}#${index}`,
      content: { text: call.params.text, blocks: call.params.blocks, attachments: call.params.attachments, view: call.params.view },
    }));
  const responses = emu.responses.map((post) => ({ where: `response_url ${post.id}`, content: { text: post.body.text, blocks: post.body.blocks } }));
  return [...calls, ...responses];
}

export function unsafeInSlack(emu: SlackEmulator, ok: AllowedTokens): UnsafeToken[] {
  return everythingSaid(emu).flatMap(({ where, content }) => unsafeTokens(content, ok, where));
}
