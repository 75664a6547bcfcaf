/**
 * The method and event names a Gateway advertises in hello-ok, as the report keeps them for the
 * success fingerprint: outside text, so bounded — at most MAX_FEATURE_NAMES of each, each name cut
 * to MAX_FEATURE_NAME_CHARS, duplicates dropped, sorted (the set matters, not the order) — and
 * passed through the client's redactor like every other string the Gateway sends. 2026.9.6
 * advertises 466 methods and 69 events. PURE.
 */
export const MAX_FEATURE_NAMES = 2_000;
export const MAX_FEATURE_NAME_CHARS = 120;

export interface AdvertisedFeatures {
  methods: string[];
  events: string[];
  truncated?: boolean;
}

export function boundedFeatures(methods: readonly string[], events: readonly string[], redact: (text: string) => string = (text) => text): AdvertisedFeatures {
  const methodNames = boundedNames(methods, redact);
  const eventNames = boundedNames(events, redact);
  const truncated = methodNames.truncated || eventNames.truncated;
  return { methods: methodNames.names, events: eventNames.names, ...(truncated ? { truncated } : {}) };
}

function boundedNames(names: readonly string[], redact: (text: string) => string): { names: string[]; truncated: boolean } {
  const kept = new Set<string>();
  let truncated = names.length > MAX_FEATURE_NAMES;
  for (const name of names.slice(0, MAX_FEATURE_NAMES)) {
    if (name.length > MAX_FEATURE_NAME_CHARS) truncated = true;
    kept.add(redact(name.slice(0, MAX_FEATURE_NAME_CHARS)));
  }
  return { names: [...kept].sort(), truncated };
}
