/**
 * The Gateway's config as JSON (openclaw.json, or `config.get`'s `config`): read key by key, never
 * trusted to have a shape. One guard for the readers of it (channel-policy.ts, gateway-config.ts).
 */
export type ConfigObject = Record<string, unknown>;

export function isConfigObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
