import { suggest } from '../../suggest.js';
import type { ProbeTarget } from '../../config/sections/metrics.js';

/**
 * `/probe`'s query, validated before anything runs: exactly one of `gateway=NAME` (a configured
 * gateway) or `target=URL` (listed under `metrics.probe.targets`). Every refusal is a 400 whose body
 * says what was expected; it repeats a name only when it has a name's shape, and never repeats a
 * URL that carried credentials, so a token pasted into a scrape config does not end up in a log.
 */
export type ProbeRequest = { kind: 'gateway'; gateway: string } | { kind: 'target'; target: ProbeTarget };
export type ProbeParams = { ok: true; request: ProbeRequest } | { ok: false; status: 400; body: string };

const PARAMS = ['gateway', 'target'] as const;
const NAME_SHAPE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MAX_LISTED = 10;

export function parseProbeParams(query: URLSearchParams, allowed: { gateways: readonly string[]; targets: readonly ProbeTarget[] }): ProbeParams {
  const refuse = (body: string): ProbeParams => ({ ok: false, status: 400, body: `${body}\n` });
  const usage = '/probe takes gateway=NAME (a gateway in clawops.yaml) or target=URL (listed under metrics.probe.targets)';
  const keys = [...new Set(query.keys())];
  for (const key of keys) {
    if ((PARAMS as readonly string[]).includes(key)) continue;
    const shown = NAME_SHAPE.test(key) ? `"${key}"` : 'a parameter';
    const hint = NAME_SHAPE.test(key) ? suggest(key, PARAMS) : undefined;
    return refuse(`unknown parameter ${shown}${hint ? ` (did you mean ${hint}?)` : ''}: ${usage}`);
  }
  for (const key of PARAMS) if (query.getAll(key).length > 1) return refuse(`${key} is given more than once: one check per scrape; ${usage}`);
  const gateway = query.get('gateway');
  const target = query.get('target');
  if (gateway !== null && target !== null) return refuse(`give gateway or target, not both: ${usage}`);
  if (gateway === null && target === null) return refuse(`no gateway given: ${usage}`);

  if (gateway !== null) {
    if (!NAME_SHAPE.test(gateway)) return refuse(`not a gateway name (lower-case letters, digits, - and _): ${usage}`);
    if (allowed.gateways.includes(gateway)) return { ok: true, request: { kind: 'gateway', gateway } };
    const hint = suggest(gateway, allowed.gateways);
    const listed = allowed.gateways.slice(0, MAX_LISTED).join(', ') + (allowed.gateways.length > MAX_LISTED ? `, … (${allowed.gateways.length} in all)` : '');
    return refuse(`no gateway named "${gateway}"${hint ? `. Did you mean "${hint}"?` : ''} Configured: ${listed}`);
  }

  let url: URL;
  try {
    url = new URL(target!);
  } catch {
    return refuse(`target is not a URL: expected ws://host:port or wss://host, as listed under metrics.probe.targets`);
  }
  // Checked before anything repeats the URL: a token in it must not be echoed back.
  if (url.username || url.password || url.search || url.hash)
    return refuse('a target URL carries no credentials, query or fragment: its token comes from tokenEnv of its entry under metrics.probe.targets');
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return refuse(`target must be a ws:// or wss:// URL, as listed under metrics.probe.targets`);
  if (allowed.targets.length === 0)
    return refuse(
      'target= is not enabled: list the URL (and its tokenEnv) under metrics.probe.targets in clawops.yaml, or probe a configured gateway with gateway=NAME',
    );
  const listed = allowed.targets.find((entry) => new URL(entry.url).href === url.href);
  if (!listed) return refuse(`target ${url.href.slice(0, 200)} is not listed under metrics.probe.targets: /probe checks listed URLs only`);
  return { ok: true, request: { kind: 'target', target: listed } };
}
