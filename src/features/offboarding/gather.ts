import type { TokenAccess } from '../../config/sections/offboarding.js';
import type { AdminApiClient, Device } from '../../tailscale/admin-api.js';
import { findLoginInPolicy } from '../../policy/policy-edit.js';
import { parsePolicy, type Policy } from '../../policy/policy.js';
import type { DeviceItem, GatewayItem, GroupItem, Offboarding } from './model.js';

/**
 * What a departed login can still reach: their devices, the policy entries that name them, and
 * the gateways whose tokens they could read. `itemsFor` is PURE (tables in the unit tests);
 * `gatherFor` fetches devices and the policy and never throws — what it could not read becomes a
 * problem line on the checklist, so a down admin API still yields a checklist (gateways to rotate).
 */
export type Gathered = Pick<Offboarding, 'devices' | 'groups' | 'review' | 'gateways' | 'problems'>;

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

export function deviceItem(device: Device): DeviceItem {
  const tags = device.tags ?? [];
  return {
    id: device.id,
    // The machine name (the MagicDNS name's first label) is what the admin console shows.
    name: (device.name?.split('.')[0] || device.hostname || device.id).slice(0, 255),
    ...(device.os ? { os: device.os } : {}),
    ...(device.lastSeen ? { lastSeen: device.lastSeen } : {}),
    tags,
    status: tags.length > 0 ? 'tagged' : 'open',
  };
}

/** Gateways whose tokens the person could read: from `tokenAccess`, through their policy groups. */
export function gatewaysToRotate(login: string, groups: readonly string[], tokenAccess: readonly TokenAccess[], knownGateways: readonly string[]): string[] {
  const names = new Set<string>();
  for (const rule of tokenAccess) {
    const applies = rule.groups.some((entry) => same(entry, login) || groups.includes(entry) || entry === '*');
    if (!applies) continue;
    for (const gateway of rule.gateways === '*' ? knownGateways : rule.gateways) if (knownGateways.includes(gateway)) names.add(gateway);
  }
  return [...names].sort();
}

function describeTest(policy: Policy, index: number): string {
  const test = policy.tests[index]!;
  const parts = [
    `#${index} src ${test.src}`,
    test.accept.length ? `accept ${test.accept.join(', ')}` : '',
    test.deny.length ? `deny ${test.deny.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join(' · ').slice(0, 300);
}

export function itemsFor(input: {
  login: string;
  devices: Device[] | undefined;
  policy: Policy | undefined;
  tokenAccess: readonly TokenAccess[];
  knownGateways: readonly string[];
  problems?: string[];
}): Gathered {
  const { login, policy } = input;
  const devices = (input.devices ?? []).filter((device) => same(device.user, login)).map(deviceItem);
  // Untagged first: those are what can be deleted from here.
  devices.sort((a, b) => Number(a.status === 'tagged') - Number(b.status === 'tagged') || a.name.localeCompare(b.name));
  const mentions = policy ? findLoginInPolicy(policy, login) : { groups: [], tagOwners: [], tests: [], acls: [], grants: [] };
  const groups: GroupItem[] = mentions.groups.map((name) => ({ name, status: 'open' }));
  const gateways: GatewayItem[] = gatewaysToRotate(login, mentions.groups, input.tokenAccess, input.knownGateways).map((name) => ({ name, status: 'open' }));
  return {
    devices,
    groups,
    review: {
      tagOwners: mentions.tagOwners,
      tests: policy ? mentions.tests.map((index) => describeTest(policy, index)) : [],
      acls: mentions.acls.length,
      grants: mentions.grants.length,
    },
    gateways,
    problems: input.problems ?? [],
  };
}

export async function gatherFor(input: {
  login: string;
  admin: AdminApiClient | undefined;
  adminProblem?: string;
  tokenAccess: readonly TokenAccess[];
  knownGateways: readonly string[];
}): Promise<Gathered> {
  const problems: string[] = [];
  let devices: Device[] | undefined;
  let policy: Policy | undefined;
  if (!input.admin) {
    problems.push(`devices and policy groups are not listed: ${input.adminProblem ?? 'the Tailscale admin API is not configured (tailscale.adminApi)'}`);
  } else {
    const [deviceList, policyFile] = await Promise.allSettled([input.admin.listDevices(), input.admin.getPolicy()]);
    if (deviceList.status === 'fulfilled') devices = deviceList.value;
    else problems.push(`could not list devices: ${reason(deviceList.reason)}`);
    if (policyFile.status === 'fulfilled') {
      const parsed = parsePolicy(policyFile.value.hujson);
      if (parsed.ok) policy = parsed.policy;
      else problems.push(`could not read the policy file: ${parsed.problems[0]?.message ?? 'invalid'}`);
    } else {
      problems.push(`could not read the policy file: ${reason(policyFile.reason)}`);
    }
  }
  return itemsFor({ login: input.login, devices, policy, tokenAccess: input.tokenAccess, knownGateways: input.knownGateways, problems });
}

/** TailscaleApiError messages are already redacted; anything else is reduced to its message. */
export function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
