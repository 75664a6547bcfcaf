import { isIP } from 'node:net';
import type { Config } from '../../config/schema.js';
import { DEFAULT_TAILSCALE_SETTINGS } from '../../config/sections/tailscale.js';
import type { AuditGateway } from '../../policy/acl-audit.js';
import type { Device } from '../../tailscale/admin-api.js';

/**
 * Configured gateways as the ACL audit sees them: the policy target that names each one
 * (`aclTarget`, else `tailscale.acl.defaultTarget`), the port from its URL (for Tailscale Serve,
 * 443: the port the tailnet policy must open), and the tailnet IPs that rules may be written
 * against (address literals, and the addresses of the admin API device with the gateway's name).
 * PURE.
 */

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'wss:' ? 443 : 80;
}

function bare(host: string): string {
  return host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** The admin API device that is this gateway's node: by MagicDNS name, host name, or address. */
export function deviceFor(devices: readonly Device[], names: string[]): Device | undefined {
  const wanted = names.map(bare);
  return (
    devices.find((device) => device.name !== undefined && wanted.includes(bare(device.name))) ??
    devices.find((device) => device.addresses.some((address) => wanted.includes(bare(address)))) ??
    // A short MagicDNS name (`gw-prod`) is the device's host name; a longer non-MagicDNS name is not.
    devices.find(
      (device) => device.hostname !== undefined && wanted.some((name) => !name.includes('.') && !name.includes(':') && name === device.hostname!.toLowerCase()),
    )
  );
}

export function auditTargetsFor(config: Config, names: readonly string[], devices?: readonly Device[]): AuditGateway[] {
  const acl = (config.tailscale ?? DEFAULT_TAILSCALE_SETTINGS).acl;
  return names.flatMap((name) => {
    const gateway = config.gateways[name];
    if (!gateway) return [];
    const url = new URL(gateway.url);
    const hosts = [bare(url.hostname), ...(gateway.tailnetHost ? [bare(gateway.tailnetHost)] : [])];
    const ips = new Set(hosts.filter((host) => isIP(host) !== 0));
    const device = devices ? deviceFor(devices, hosts) : undefined;
    for (const address of device?.addresses ?? []) ips.add(bare(address));
    return [{ name, target: gateway.aclTarget ?? acl.defaultTarget, port: portOf(url), ...(ips.size ? { ips: [...ips] } : {}) }];
  });
}
