import type { SymptomId } from '../../diagnosis/symptom-table.js';

/**
 * Which runbook row a pasted message is about, and which configured gateways it names. PURE.
 *
 * Message text is hostile: only the first MAX_SCANNED characters are read, and every pattern is
 * linear (no nested or unbounded-overlapping quantifiers; gaps are bounded `{0,N}` runs of one
 * class), so a crafted message costs time in proportion to its bounded length, never more.
 * The rules are tried in order, most specific first ("1008 pairing required" is pairing, not auth).
 */
export const MAX_SCANNED = 4_000;
export const OPENCLAW_DEFAULT_PORT = 18789;

export interface KnownGateway {
  name: string;
  /** The URL host, tailnetHost, and the first label of a MagicDNS name (`gw-prod`), lower-case. */
  hosts: string[];
  /** The URL's port and the Gateway's own port on its host. */
  ports: number[];
}

export interface TriggerMatch {
  symptom: SymptomId;
  /** The phrase that matched, lower-cased (at most 80 characters): shown back, escaped. */
  phrase: string;
  /** Configured gateways the message names (by name or host), in order of appearance. */
  gateways: string[];
}

interface Rule {
  symptom: SymptomId;
  pattern: RegExp;
  /** Extra condition on the match and the message (a gateway host or port must be in it). */
  when?: (match: RegExpExecArray, context: MessageContext) => boolean;
}

interface MessageContext {
  text: string;
  hostsNamed: boolean;
  gatewayPorts: Set<number>;
  knownHosts: Set<string>;
}

const CLOSE = String.raw`\bclos(?:e|ed|ing)\b[^\n\d]{0,24}`;
const SOCKET = String.raw`\b(?:websocket|ws|socket|disconnected)\b[^\n\d]{0,24}`;
const STATUS_WORD = String.raw`\b(?:http(?:/[\d.]{1,3})?|status(?: code)?|error|code|got an?|got|getting|returned|returns|answers|answered|response)[\s:=(]{1,3}`;

const RULES: Rule[] = [
  { symptom: 'proxy-untrusted', pattern: /\bproxy_attribution_required\b|\bproxy client attribution is required\b/ },
  { symptom: 'pairing-required', pattern: /\bpairing required\b|\bnot_paired\b/ },
  { symptom: 'token-rotated', pattern: new RegExp(`${CLOSE}\\(?4001\\b|\\bgateway auth changed\\b`) },
  { symptom: 'protocol-mismatch', pattern: new RegExp(`${CLOSE}\\(?1002\\b|\\bprotocol mismatch\\b`) },
  { symptom: 'auth-rejected', pattern: new RegExp(`(?:${CLOSE}|${SOCKET})\\(?1008\\b|\\bgateway token mismatch\\b|\\bauth_token_mismatch\\b`) },
  { symptom: 'gateway-restarting', pattern: new RegExp(`${CLOSE}\\(?1012\\b`) },
  { symptom: 'gateway-starting', pattern: new RegExp(`${CLOSE}\\(?1013\\b|\\bgateway starting; retry shortly\\b`) },
  { symptom: 'upgrade-stripped', pattern: /\bunexpected server response:? {0,2}400\b/ },
  { symptom: 'gateway-down-behind-proxy', pattern: /\bunexpected server response:? {0,2}50[234]\b/ },
  {
    symptom: 'auth-rejected',
    pattern: new RegExp(`\\bunexpected server response:? {0,2}40[13]\\b|${STATUS_WORD}40[13]\\b|\\b40[13] (?:unauthorized|forbidden)\\b|\\b40[13]s\\b`),
  },
  {
    symptom: 'refused',
    // `connect ECONNREFUSED 127.0.0.1:18789`: the Gateway's port, or a configured gateway's host or port.
    pattern: /\beconnrefused\b[ :]{0,3}\[?([0-9a-z.:-]{1,80}?)\]?:(\d{1,5})\b/,
    when: (match, context) => {
      const port = Number(match[2]);
      return port === OPENCLAW_DEFAULT_PORT || context.gatewayPorts.has(port) || context.knownHosts.has(bareHost(match[1] ?? ''));
    },
  },
  { symptom: 'ws-closed-early', pattern: new RegExp(`(?:${CLOSE}|${SOCKET})\\(?100[06]\\b|\\babnormal closure\\b`) },
  {
    symptom: 'tailnet-port-blocked',
    pattern: /\b(?:timed out|etimedout|timeout)\b/,
    when: (_match, context) => context.hostsNamed && /\btailscale ping\b/.test(context.text),
  },
  { symptom: 'timeout', pattern: /\b(?:timed out|etimedout|connect timeout)\b/, when: (_match, context) => context.hostsNamed },
];

/** Slack's own escapes back to text, and its link markup to the link text (`<https://…|label>` → `label`). */
function slackToPlain(text: string): string {
  return text
    .replace(/<[^<>|\n]{1,500}\|([^<>\n]{0,500})>/g, '$1')
    .replace(/<([^<>\n]{1,500})>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function bareHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/** Host names, addresses and words in the message (linear: one character class, bounded). */
const TOKEN = /[a-z0-9][a-z0-9._-]{0,252}/g;

export function matchSymptom(rawText: string, gateways: readonly KnownGateway[]): TriggerMatch | undefined {
  const text = slackToPlain(rawText.slice(0, MAX_SCANNED)).slice(0, MAX_SCANNED).toLowerCase();
  const knownHosts = new Set(gateways.flatMap((gateway) => gateway.hosts.map(bareHost)));
  // word → the gateways it names, and whether it names them by host (one lookup per word).
  const byWord = new Map<string, { gateways: string[]; host: boolean }>();
  for (const gateway of gateways) {
    for (const [word, host] of [[gateway.name, false], ...gateway.hosts.map((entry) => [bareHost(entry), true] as const)] as const) {
      const entry = byWord.get(word) ?? { gateways: [], host: false };
      if (!entry.gateways.includes(gateway.name)) entry.gateways.push(gateway.name);
      entry.host ||= host;
      byWord.set(word, entry);
    }
  }
  const named: string[] = [];
  let hostsNamed = false;
  for (const token of text.match(TOKEN) ?? []) {
    const entry = byWord.get(bareHost(token.replace(/[._-]+$/, '')));
    if (!entry) continue;
    hostsNamed ||= entry.host;
    for (const name of entry.gateways) if (!named.includes(name)) named.push(name);
  }
  // Port-only evidence counts for a Gateway's own ports, not for 443/80, which every HTTPS service shares.
  const gatewayPorts = new Set(gateways.flatMap((gateway) => gateway.ports).filter((port) => port !== 443 && port !== 80));
  const context: MessageContext = { text, hostsNamed, gatewayPorts, knownHosts };
  for (const rule of RULES) {
    const match = rule.pattern.exec(text);
    if (!match) continue;
    if (rule.when && !rule.when(match, context)) continue;
    return { symptom: rule.symptom, phrase: match[0].slice(0, 80), gateways: named };
  }
  return undefined;
}

/** The gateways of a config as the matcher knows them. */
export function knownGatewaysOf(
  gateways: Record<string, { url: string; tailnetHost?: string; gatewayPort?: number; agent?: { port?: number } }>,
  portOf: (gateway: { url: string; gatewayPort?: number; agent?: { port?: number } }) => number,
): KnownGateway[] {
  return Object.entries(gateways).map(([name, gateway]) => {
    const url = new URL(gateway.url);
    const host = bareHost(url.hostname);
    const hosts = new Set([host, ...(gateway.tailnetHost ? [bareHost(gateway.tailnetHost)] : [])]);
    // A MagicDNS name is said by its first label as often as in full (`gw-prod`).
    for (const candidate of [...hosts]) if (candidate.endsWith('.ts.net') && candidate.includes('.')) hosts.add(candidate.split('.')[0]!);
    const urlPort = url.port ? Number(url.port) : url.protocol === 'wss:' ? 443 : 80;
    return { name, hosts: [...hosts], ports: [...new Set([urlPort, portOf(gateway)])] };
  });
}
