import { fingerprintHash } from './build.js';
import type { Fingerprint, FingerprintChange, GoodFingerprint, SetField, ValueField } from './model.js';

/**
 * What changed from the last good fingerprint to another one (PURE). Only what both sides know is
 * compared: a failing check that never reached the handshake has no methods, and that is not
 * "methods −466". Order: the build first (what an upgrade changes), the advertised sets, auth,
 * channels, the host.
 */
export function diffFingerprints(good: Fingerprint, next: Fingerprint): FingerprintChange[] {
  const changes: FingerprintChange[] = [];
  const value = (field: ValueField, from: string | number | undefined, to: string | number | undefined) => {
    if (from === undefined || to === undefined || from === to) return;
    changes.push({ kind: 'value', field, from: String(from), to: String(to) });
  };
  const set = (field: SetField, from: readonly string[] | undefined, to: readonly string[] | undefined) => {
    if (from === undefined || to === undefined) return;
    const before = new Set(from);
    const after = new Set(to);
    const added = [...after].filter((name) => !before.has(name));
    const removed = [...before].filter((name) => !after.has(name));
    if (added.length || removed.length) changes.push({ kind: 'set', field, added, removed, from: [...from], to: [...to] });
  };

  value('version', good.build?.version, next.build?.version);
  // A new build id under the same version is a rebuild; under a new version it adds nothing.
  if (good.build?.version === next.build?.version) value('build', good.build?.buildId, next.build?.buildId);
  value('protocol', good.build?.protocol, next.build?.protocol);
  // `status` and `/healthz` repeat the version: said only when they tell something else.
  const sameAsVersion = (field: 'runtimeVersion' | 'healthVersion') =>
    good.build?.[field] === good.build?.version && next.build?.[field] === next.build?.version;
  if (!sameAsVersion('runtimeVersion')) value('runtime', good.build?.runtimeVersion, next.build?.runtimeVersion);
  if (!sameAsVersion('healthVersion')) value('health version', good.build?.healthVersion, next.build?.healthVersion);
  if (good.methods && next.methods && good.methods.hash !== next.methods.hash) set('methods', good.methods.names, next.methods.names);
  if (good.events && next.events && good.events.hash !== next.events.hash) set('events', good.events.names, next.events.names);
  value('auth', good.auth?.method, next.auth?.method);
  value('role', good.auth?.role, next.auth?.role);
  set('scopes', good.auth?.scopes, next.auth?.scopes);
  if (good.channels && next.channels) {
    const changed = Object.keys(next.channels)
      .filter((key) => good.channels![key] !== undefined && good.channels![key] !== next.channels![key])
      .map((key) => ({ key, from: good.channels![key]!, to: next.channels![key]! }));
    const added = Object.keys(next.channels).filter((key) => good.channels![key] === undefined);
    const removed = Object.keys(good.channels).filter((key) => next.channels![key] === undefined);
    if (changed.length || added.length || removed.length) changes.push({ kind: 'map', field: 'channels', changed, added, removed });
  }
  const [a, b] = [good.host, next.host];
  if (a?.listeners && b?.listeners) {
    value('bind', a.listeners.bind, b.listeners.bind);
    set('listeners', a.listeners.bound, b.listeners.bound);
  }
  if (a?.unit && b?.unit) {
    value('unit', a.unit.name, b.unit.name);
    value('unit state', a.unit.activeState, b.unit.activeState);
    value('unit file', a.unit.fragmentPath, b.unit.fragmentPath);
    set('unit drop-ins', a.unit.dropIns, b.unit.dropIns);
    value('unit port', a.unit.port, b.unit.port);
    value('unit token', a.unit.tokenFingerprint, b.unit.tokenFingerprint);
  }
  set('serve', a?.serve, b?.serve);
  value('installed', a?.installedVersion, b?.installedVersion);
  return changes;
}

/** What a verdict says about the fingerprint, if anything. */
export interface SinceLastGood {
  /** When the last good fingerprint was last seen. */
  at: number;
  changes: FingerprintChange[];
}

/**
 * The verdict shows the diff on a failure (even an empty one: "nothing changed" rules out an
 * upgrade), and on a check that is up when the fingerprint changed. Nothing without a last good.
 */
export function sinceLastGood(current: Fingerprint, lastGood: GoodFingerprint | undefined): SinceLastGood | undefined {
  if (!lastGood || lastGood.fingerprint.url !== current.url) return undefined;
  const changes = diffFingerprints(lastGood.fingerprint, current);
  if (current.state !== 'unhealthy' && changes.length === 0) return undefined;
  return { at: Math.min(lastGood.lastSeenAt, current.at), changes };
}

/**
 * Two good fingerprints that differ in nothing both know are one: the newer, with the sections only
 * the older had (a host agent silent this time does not make a new build). `undefined`: different.
 */
export function mergeIfSame(head: Fingerprint, next: Fingerprint): Fingerprint | undefined {
  if (head.url !== next.url || diffFingerprints(head, next).length > 0) return undefined;
  const sections = ['build', 'auth', 'methods', 'events', 'channels', 'host'] as const;
  const merged: Fingerprint = { ...next };
  let inherited = false;
  for (const section of sections)
    if (merged[section] === undefined && head[section] !== undefined) {
      (merged as Record<string, unknown>)[section] = head[section];
      inherited = true;
    }
  const adds = (from: object | undefined, to: object | undefined) => from !== undefined && to !== undefined && Object.keys(from).some((key) => !(key in to));
  if (adds(head.build, merged.build)) {
    merged.build = { ...head.build, ...merged.build };
    inherited = true;
  }
  if (adds(head.host, merged.host)) {
    merged.host = { ...head.host, ...merged.host };
    inherited = true;
  }
  // The same sections as `next` (the usual case: every check of a steady gateway): its hash holds.
  return inherited ? { ...merged, hash: fingerprintHash(merged) } : merged;
}
