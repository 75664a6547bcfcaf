import { Resolver } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { EvidenceOf } from '../report/report.js';

/**
 * Split-DNS check for MagicDNS names (symptom rows `dns-fail`, `dns-hijack`): ask the system's
 * resolvers and tailscaled's MagicDNS resolver (100.100.100.100) for the same name. A corporate
 * resolver or search domain that captures `*.ts.net` shows up as an answer outside the tailnet
 * ranges, or as the two disagreeing.
 */

export type DnsSplit = NonNullable<EvidenceOf<'dns'>['split']>;

export const MAGIC_DNS_RESOLVER = '100.100.100.100';

const TAILNET_RANGES = new BlockList();
TAILNET_RANGES.addSubnet('100.64.0.0', 10, 'ipv4');
TAILNET_RANGES.addSubnet('fd7a:115c:a1e0::', 48, 'ipv6');

export function isTailnetAddress(address: string): boolean {
  const version = isIP(address);
  return version !== 0 && TAILNET_RANGES.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

export interface DnsSplitOptions {
  /** `host[:port]` servers; absent = this machine's configured resolvers. */
  systemResolver?: string[];
  /**
   * A short name (no dot): the system side tries the search domains in order, as the system's
   * resolver does; the MagicDNS side asks for `<name>.<magicDnsSuffix>`.
   */
  search?: { domains: string[]; magicDnsSuffix?: string };
  magicDnsResolver?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Answer {
  addresses: string[];
  error?: string;
}

async function ask(name: string, servers: string[] | undefined, timeoutMs: number, signal?: AbortSignal): Promise<Answer> {
  // Two tries inside the budget: one lost UDP datagram should not read as a failed resolver.
  const resolver = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 2 });
  if (servers) resolver.setServers(servers);
  const cancel = (): void => resolver.cancel();
  const timer = setTimeout(cancel, timeoutMs);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = [v4, v6].flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    if (addresses.length > 0) return { addresses };
    const codes = [v4, v6].map((r) => (r.status === 'rejected' ? String((r.reason as NodeJS.ErrnoException).code ?? 'ERROR') : 'ENODATA'));
    return { addresses: [], error: codes.find((code) => code !== 'ENODATA') ?? 'ENODATA' };
  } catch (err) {
    return { addresses: [], error: String((err as NodeJS.ErrnoException).code ?? 'ERROR') };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

function sameSet(a: string[], b: string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/**
 * `disagree` only compares two real answers: when one side failed (100.100.100.100 unreachable
 * because the bot is off the tailnet, say) the errors tell that story, not a disagreement.
 */
export async function probeDnsSplit(name: string, options: DnsSplitOptions): Promise<DnsSplit> {
  const host = name.replace(/\.$/, '');
  if (options.search) return probeShortName(host, options.search, options);
  const magic = options.magicDnsResolver ?? MAGIC_DNS_RESOLVER;
  const [system, magicDns] = await Promise.all([
    ask(host, options.systemResolver, options.timeoutMs, options.signal),
    ask(host, [magic], options.timeoutMs, options.signal),
  ]);
  const all = [...new Set([...system.addresses, ...magicDns.addresses])];
  return {
    system: system.addresses,
    magicDns: magicDns.addresses,
    ...(system.error ? { systemError: system.error } : {}),
    ...(magicDns.error ? { magicDnsError: magicDns.error } : {}),
    outsideTailnet: all.filter((address) => !isTailnetAddress(address)),
    disagree: !system.error && !magicDns.error && !sameSet(system.addresses, magicDns.addresses),
  };
}

/** `gw1`, not `gw1.example.com`, an address, or localhost. */
export function isShortName(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return bare !== '' && !bare.includes('.') && isIP(bare) === 0 && bare.toLowerCase() !== 'localhost';
}

/**
 * A short MagicDNS name resolved both ways: through the system's resolvers with its search domains
 * (the first domain that answers wins, as the resolver's search does), and through 100.100.100.100
 * as `<name>.<tailnet suffix>`. A search domain that a corporate resolver answers for captures the
 * name before the tailnet's domain is tried: the two disagree → `dns-hijack`, both answers shown.
 * A name MagicDNS does not know is not a tailnet name: no hijack is claimed for it.
 */
async function probeShortName(host: string, search: NonNullable<DnsSplitOptions['search']>, options: DnsSplitOptions): Promise<DnsSplit> {
  const suffix = search.magicDnsSuffix?.replace(/^\.|\.$/g, '');
  const domains = [...new Set(search.domains.map((domain) => domain.replace(/^\.|\.$/g, '')).filter(Boolean))];
  const magicName = suffix ? `${host}.${suffix}` : undefined;
  const systemSide = (async () => {
    let last: Answer = { addresses: [], error: 'ENOTFOUND' };
    for (const candidate of [...domains.map((domain) => `${host}.${domain}`), host]) {
      const answer = await ask(candidate, options.systemResolver, options.timeoutMs, options.signal);
      if (answer.addresses.length > 0) return { ...answer, name: candidate };
      last = answer;
      if (options.signal?.aborted) break;
    }
    return { ...last, name: undefined };
  })();
  const [system, magicDns] = await Promise.all([
    systemSide,
    magicName
      ? ask(magicName, [options.magicDnsResolver ?? MAGIC_DNS_RESOLVER], options.timeoutMs, options.signal)
      : Promise.resolve<Answer>({ addresses: [], error: 'no MagicDNS suffix from tailscaled' }),
  ]);
  const tailnetName = magicDns.addresses.some(isTailnetAddress);
  return {
    system: system.addresses,
    magicDns: magicDns.addresses,
    ...(system.error ? { systemError: system.error } : {}),
    ...(magicDns.error ? { magicDnsError: magicDns.error } : {}),
    outsideTailnet: tailnetName ? system.addresses.filter((address) => !isTailnetAddress(address)) : [],
    disagree: tailnetName && !system.error && !sameSet(system.addresses, magicDns.addresses),
    ...(system.name ? { systemName: system.name } : {}),
    ...(magicName ? { magicDnsName: magicName } : {}),
    searchDomains: domains,
  };
}

/** The `search` (or older `domain`) list of a resolv.conf text; the last such line wins, as in glibc. */
export function searchDomainsOf(resolvConf: string): string[] {
  let domains: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const [keyword, ...rest] = line
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (keyword === 'search' || keyword === 'domain') domains = rest.filter(Boolean);
  }
  return domains;
}
