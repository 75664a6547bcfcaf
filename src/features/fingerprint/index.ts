/**
 * The fingerprint slice's public face (see feature.ts for what the feature contributes). `clawops
 * check` imports feature.ts and file-store.ts directly (terminal.ts): importing this index would
 * load the Redis store and the report schema too.
 */
export { createFingerprintFeature, latestFingerprint, type FingerprintFeature, type FingerprintFeatureDeps } from './feature.js';
export { buildFingerprint } from './build.js';
export { diffFingerprints, sinceLastGood, type SinceLastGood } from './diff.js';
export { createRedisFingerprintStore } from './redis-store.js';
export { createFileFingerprintStore, defaultFingerprintPath } from './file-store.js';
export { fingerprintView, type FingerprintView } from './view.js';
export { renderFingerprintSlack, renderFingerprintTerminal, renderFingerprintMarkdown } from './render-view.js';
export { sinceLastGoodSlack, sinceLastGoodTerminal, sinceLastGoodMarkdown } from './render.js';
export type { Fingerprint, GoodFingerprint, FingerprintChange } from './model.js';
export type { FingerprintStore, CheckRecord } from './store.js';
