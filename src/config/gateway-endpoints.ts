import { isIP } from 'node:net';

/**
 * Two gateways at one address are one Gateway under two names — or two Gateways on one host with
 * a port collision, where a token configured for the wrong one reads as a plain `auth-rejected`.
 * `config validate` refuses them unless the second is marked `aliasOf: <first>`. PURE.
 *
 * The same address: the same host and port after normalising what cannot differ for the socket —
 * case, a trailing dot, the scheme's default port (wss → 443, ws → 80), `localhost`/127.0.0.1/::1,
 * and a short MagicDNS name (`gw1`) against its `*.ts.net` FQDN.
 */

interface EndpointGateway {
  url: string;
  aliasOf?: string | undefined;
}

export interface EndpointIssue {
  path: Array<string | number>;
  message: string;
}

export function endpointOf(url: string): { host: string; port: number; label: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const raw = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'wss:' ? 443 : 80;
  const loopback = raw === 'localhost' || raw === '::1' || (isIP(raw) === 4 && raw.startsWith('127.'));
  return { host: loopback ? 'loopback' : raw, port, label: `${parsed.hostname}:${port}` };
}

/** One socket address: the same host, or a short MagicDNS name and a `*.ts.net` FQDN that starts with it. */
function sameEndpoint(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  if (a.port !== b.port) return false;
  if (a.host === b.host) return true;
  const short = (name: string) => !name.includes('.') && !name.includes(':') && name !== 'loopback';
  const magic = (name: string) => name.endsWith('.ts.net');
  return (short(a.host) && magic(b.host) && b.host.split('.')[0] === a.host) || (short(b.host) && magic(a.host) && a.host.split('.')[0] === b.host);
}

export function endpointIssues(gateways: Record<string, EndpointGateway>): EndpointIssue[] {
  const issues: EndpointIssue[] = [];
  const names = Object.keys(gateways).sort();
  for (const name of names) {
    const alias = gateways[name]!.aliasOf;
    if (alias === undefined) continue;
    if (alias === name) issues.push({ path: [name, 'aliasOf'], message: 'a gateway cannot be an alias of itself' });
    else if (!gateways[alias])
      issues.push({
        path: [name, 'aliasOf'],
        message: `no gateway named ${JSON.stringify(alias)} in this file (aliasOf names the entry this one is another name for)`,
      });
    else if (gateways[alias].aliasOf !== undefined)
      issues.push({
        path: [name, 'aliasOf'],
        message: `${alias} is itself an alias of ${gateways[alias].aliasOf}: point aliasOf at ${gateways[alias].aliasOf}`,
      });
  }
  const seen: Array<{ name: string; endpoint: NonNullable<ReturnType<typeof endpointOf>> }> = [];
  for (const name of names) {
    const gateway = gateways[name]!;
    const endpoint = endpointOf(gateway.url);
    if (!endpoint || gateway.aliasOf !== undefined) continue;
    const earlier = seen.find((entry) => sameEndpoint(entry.endpoint, endpoint))?.name;
    if (earlier === undefined) {
      seen.push({ name, endpoint });
      continue;
    }
    const same =
      gateways[earlier]!.url === gateway.url ? `the same URL as ${earlier} (${gateway.url})` : `the same host and port as ${earlier} (${endpoint.label})`;
    issues.push({
      path: [name, 'url'],
      message: `${same}: two Gateways on one host need different ports (OPENCLAW_GATEWAY_PORT in each unit); if both names are one Gateway, mark this one \`aliasOf: ${earlier}\``,
    });
  }
  return issues;
}
