import { diffFingerprints } from './diff.js';
import type { Fingerprint, FingerprintChange, GoodFingerprint } from './model.js';
import { lastGoodBefore } from './store.js';
import { joinPieces, type Piece } from './change-text.js';

/**
 * What `/gateway fingerprint <name>` and `clawops fingerprint <name>` show (PURE): the current
 * fingerprint (the latest check), the last good one before it and their diff; when the current one
 * IS the last good, the change that led to it from the good one before ("changed at …").
 */
export interface FingerprintView {
  gateway: string;
  current?: Fingerprint;
  lastGood?: GoodFingerprint;
  changes: FingerprintChange[];
  /** The current fingerprint is the last good one: the step before it, if one is recorded. */
  previous?: { good: GoodFingerprint; changedAt: number; changes: FingerprintChange[] };
}

export function fingerprintView(gateway: string, current: Fingerprint | undefined, good: readonly GoodFingerprint[]): FingerprintView {
  if (!current) return { gateway, ...(good[0] ? { lastGood: good[0] } : {}), changes: [] };
  const before = lastGoodBefore(good, current.at + 1);
  const lastGood = before && before.fingerprint.url === current.url ? before : undefined;
  const changes = lastGood ? diffFingerprints(lastGood.fingerprint, current) : [];
  const view: FingerprintView = { gateway, current, ...(lastGood ? { lastGood } : {}), changes };
  if (lastGood && changes.length === 0) {
    const older = good[good.indexOf(lastGood) + 1];
    if (older && older.fingerprint.url === current.url)
      view.previous = { good: older, changedAt: lastGood.firstSeenAt, changes: diffFingerprints(older.fingerprint, lastGood.fingerprint) };
  }
  return view;
}

/** The fingerprint as a few lines of pieces (build, auth, sets, channels, host). */
export function fingerprintLines(fingerprint: Fingerprint): Piece[][] {
  const lines: Piece[][] = [];
  const build = fingerprint.build;
  if (build) {
    const parts: Piece[][] = [];
    if (build.version) parts.push(['version ', { outside: build.version }]);
    if (build.buildId) parts.push(['build ', { outside: build.buildId }]);
    if (build.protocol !== undefined) parts.push([`protocol ${build.protocol}`]);
    if (build.runtimeVersion && build.runtimeVersion !== build.version) parts.push(['runtime ', { outside: build.runtimeVersion }]);
    if (build.healthVersion && build.healthVersion !== build.version) parts.push(['/healthz ', { outside: build.healthVersion }]);
    lines.push(joinPieces(parts, ' · '));
  }
  if (fingerprint.auth) {
    const auth = fingerprint.auth;
    lines.push([
      ...(auth.method ? ['auth ', { outside: auth.method }, ' · '] : []),
      ...(auth.role ? ['role ', { outside: auth.role }, ' · '] : []),
      'scopes [',
      ...joinPieces(
        auth.scopes.map((scope) => [{ outside: scope }]),
        ', ',
      ),
      ']',
    ]);
  }
  const sets: Piece[][] = [];
  if (fingerprint.methods) sets.push([`methods ${fingerprint.methods.count} (#${fingerprint.methods.hash.slice(0, 8)})`]);
  if (fingerprint.events) sets.push([`events ${fingerprint.events.count} (#${fingerprint.events.hash.slice(0, 8)})`]);
  if (sets.length) lines.push(joinPieces(sets, ' · '));
  if (fingerprint.channels) {
    const entries = Object.entries(fingerprint.channels);
    lines.push(
      entries.length === 0
        ? ['channels: none']
        : [
            'channels: ',
            ...joinPieces(
              entries.slice(0, 10).map(([key, state]) => [{ outside: key }, ` ${state}`]),
              ', ',
            ),
            ...(entries.length > 10 ? [` +${entries.length - 10} more`] : []),
          ],
    );
  }
  const host = fingerprint.host;
  if (host) {
    const parts: Piece[][] = [];
    if (host.listeners)
      parts.push([
        `listens (${host.listeners.bind}, port ${host.listeners.port}) [`,
        ...joinPieces(
          host.listeners.bound.map((address) => [{ outside: address }]),
          ', ',
        ),
        ']',
      ]);
    if (host.unit)
      parts.push([
        'unit ',
        { outside: host.unit.name },
        ...(host.unit.activeState ? [' ', { outside: host.unit.activeState }] : []),
        ...(host.unit.tokenFingerprint ? [` · unit token #${host.unit.tokenFingerprint}`] : []),
      ]);
    if (host.serve)
      parts.push(
        host.serve.length
          ? [
              'serve ',
              ...joinPieces(
                host.serve.map((route) => [{ outside: route }]),
                ', ',
              ),
            ]
          : ['serve: no route to the Gateway'],
      );
    if (host.installedVersion) parts.push(['installed ', { outside: host.installedVersion }]);
    if (parts.length) lines.push(['host: ', ...joinPieces(parts, ' · ')]);
  }
  return lines;
}
