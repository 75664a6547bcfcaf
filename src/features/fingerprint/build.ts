import { createHash } from 'node:crypto';
import type { Diagnosis } from '../../diagnosis/verdict.js';
import { layerOf } from '../../report/layer-order.js';
import type { ProbeReport } from '../../report/report.js';
import type { Fingerprint, NamedSet } from './model.js';

/**
 * The fingerprint of one check, from its report (PURE). A section is filled only from a layer that
 * answered: the handshake gives the build, the scopes and the advertised sets; `status` its
 * runtime version; channels.status the accounts; the host agent, when it answered, the listener
 * matrix, the unit and the Serve routes. Names are outside text: bounded here, escaped where shown.
 */
const MAX_NAMES = 2_000;
const MAX_NAME = 200;

export function buildFingerprint(report: ProbeReport, diagnosis: Pick<Diagnosis, 'state'>): Fingerprint {
  const sections: Omit<Fingerprint, 'schema' | 'gateway' | 'url' | 'at' | 'state' | 'hash'> = {};
  const handshake = layerOf(report, 'handshake');
  const hello = handshake && (handshake.status === 'ok' || handshake.status === 'warn') ? handshake.evidence : undefined;
  const status = layerOf(report, 'status');
  const runtimeVersion = status?.status === 'ok' ? status.evidence?.runtimeVersion : undefined;
  const http = layerOf(report, 'http');
  const healthVersion = http?.evidence?.version;
  const build = {
    ...(hello?.serverVersion ? { version: clip(hello.serverVersion) } : {}),
    ...(hello?.buildId ? { buildId: clip(hello.buildId) } : {}),
    ...(hello?.protocol !== undefined ? { protocol: hello.protocol } : {}),
    ...(runtimeVersion ? { runtimeVersion: clip(runtimeVersion) } : {}),
    ...(healthVersion ? { healthVersion: clip(healthVersion) } : {}),
  };
  if (Object.keys(build).length > 0) sections.build = build;
  if (hello) {
    sections.auth = {
      ...(hello.authMethod ? { method: clip(hello.authMethod, 100) } : {}),
      ...(hello.role ? { role: clip(hello.role, 100) } : {}),
      scopes: [...new Set(hello.scopes.map((scope) => clip(scope)))].sort().slice(0, 100),
    };
    if (hello.features) {
      sections.methods = namedSet(hello.features.methods, hello.features.truncated);
      sections.events = namedSet(hello.features.events, hello.features.truncated);
    }
  }
  const channels = layerOf(report, 'channels');
  if (
    channels &&
    channels.status !== 'skipped' &&
    channels.status !== 'not-reached' &&
    channels.evidence &&
    !channels.evidence.error &&
    !channels.evidence.timedOut
  ) {
    const states: Record<string, string> = {};
    for (const account of channels.evidence.channels.slice(0, 200)) {
      states[clip(`${account.channel}/${account.account ?? 'default'}`, 300)] = accountState(account);
    }
    sections.channels = states;
  }
  const host = report.host?.agent.status === 'answered' ? report.host : undefined;
  if (host) {
    const hostSection: NonNullable<Fingerprint['host']> = {};
    if (host.listeners?.available)
      hostSection.listeners = {
        port: host.listeners.port,
        bind: host.listeners.bind,
        bound: [...new Set(host.listeners.bound.map((address) => clip(address)))].sort().slice(0, 100),
      };
    const unit = host.unit;
    if (unit?.available && unit.unitFound !== false) {
      hostSection.unit = {
        name: clip(unit.unitName, 300),
        ...(unit.activeState ? { activeState: clip(unit.activeState, 100) } : {}),
        ...(unit.fragmentPath ? { fragmentPath: clip(unit.fragmentPath, 1_000) } : {}),
        dropIns: unit.dropInPaths.slice(0, 50).map((path) => clip(path, 1_000)),
        ...(unit.unitPort !== undefined ? { port: unit.unitPort } : {}),
        ...(unit.tokenSource ? { tokenSource: clip(unit.tokenSource) } : {}),
        ...(unit.unitTokenFingerprint ? { tokenFingerprint: unit.unitTokenFingerprint } : {}),
      };
    }
    if (host.serve?.available) {
      hostSection.serve = host.serve.routes
        .filter((route) => route.toGateway)
        .slice(0, 50)
        .map((route) => clip(`${route.hostPort}${route.mount ?? ''} → ${route.target}${route.funnel ? ' funnel' : ''}`, 1_000))
        .sort();
    }
    if (host.version?.installed) hostSection.installedVersion = clip(host.version.installed);
    if (Object.keys(hostSection).length > 0) sections.host = hostSection;
  }
  return {
    schema: 1,
    gateway: report.gateway.name,
    url: report.gateway.url,
    at: Date.parse(report.startedAt),
    state: diagnosis.state,
    hash: fingerprintHash(sections),
    ...sections,
  };
}

/** The hash over the identifying sections (not who, where, when or how it went). */
export function fingerprintHash(fingerprint: Partial<Fingerprint>): string {
  const { build, auth, methods, events, channels, host } = fingerprint;
  return hashOf({ build, auth, methods, events, channels, host });
}

function accountState(account: { configured?: boolean; running?: boolean; connected?: boolean; linked?: boolean }): string {
  const words: string[] = [];
  if (account.configured === false) words.push('not configured');
  if (account.running !== undefined) words.push(account.running ? 'running' : 'stopped');
  if (account.connected !== undefined) words.push(account.connected ? 'connected' : 'disconnected');
  if (account.linked !== undefined) words.push(account.linked ? 'linked' : 'unlinked');
  return words.join(' · ') || 'unknown';
}

export function namedSet(names: readonly string[], truncated?: boolean): NamedSet {
  // The handshake's sets arrive bounded, unique and sorted (src/openclaw/advertised-features.ts): one pass proves it.
  const sorted = isCanonicalSet(names) ? names.slice() : [...new Set(names.slice(0, MAX_NAMES).map((name) => clip(name)))].sort();
  return { hash: sha16(sorted.join('\n')), count: sorted.length, names: sorted, ...(truncated || names.length > MAX_NAMES ? { truncated: true } : {}) };
}

/** Strictly ascending (so unique), within the bounds: what the sort above would return unchanged. */
function isCanonicalSet(names: readonly string[]): boolean {
  if (names.length > MAX_NAMES) return false;
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!;
    if (name.length > MAX_NAME || (index > 0 && !(names[index - 1]! < name))) return false;
  }
  return true;
}

/** Canonical JSON (keys sorted at every level), so that equal sections hash equally. */
function hashOf(value: unknown): string {
  return sha16(canonical(value));
}

function canonical(value: unknown): string {
  // A list of names (methods, events: hundreds per check) is its JSON as it is: one native call.
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') ? JSON.stringify(value) : `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha16(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function clip(text: string, max = MAX_NAME): string {
  return text.length > max ? text.slice(0, max) : text;
}
