import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseStored } from '../../../state/stored-json.js';

/**
 * Maintenance windows: alerts for the gateway are silenced until `until` (probing and history
 * go on; the digest shows the window). Ended early with `/gateway maintenance <name> off`.
 * An expired window is ignored on read and removed lazily.
 */
export const MaintenanceWindowSchema = z.object({
  startedAt: z.number().int(),
  until: z.number().int(),
  by: z.string().max(32),
  reason: z.string().max(200).optional(),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

export interface MaintenanceStore {
  start(gateway: string, window: MaintenanceWindow): Promise<void>;
  /** Ends the window; returns the window that was open, if any. */
  end(gateway: string, now: number): Promise<MaintenanceWindow | undefined>;
  /** Open windows at `now`, by gateway. */
  open(now: number): Promise<Map<string, MaintenanceWindow>>;
  get(gateway: string, now: number): Promise<MaintenanceWindow | undefined>;
}

function parse(text: string | null | undefined): MaintenanceWindow | undefined {
  return parseStored(MaintenanceWindowSchema, text);
}

export function isActive(window: MaintenanceWindow | undefined, now: number): window is MaintenanceWindow {
  return window !== undefined && window.startedAt <= now && now < window.until;
}

export function createMaintenanceStore(deps: { redis: Redis; prefix: string }): MaintenanceStore {
  const key = `${deps.prefix}:maintenance`;
  return {
    async start(gateway, window) {
      await deps.redis.hset(key, gateway, JSON.stringify(MaintenanceWindowSchema.parse(window)));
    },
    async end(gateway, now) {
      const [[, previous]] = ((await deps.redis.multi().hget(key, gateway).hdel(key, gateway).exec()) ?? [[null, null]]) as [[Error | null, string | null]];
      const window = parse(previous);
      return isActive(window, now) ? window : undefined;
    },
    async open(now) {
      const raw = await deps.redis.hgetall(key);
      const windows = new Map<string, MaintenanceWindow>();
      const expired: string[] = [];
      for (const [gateway, text] of Object.entries(raw)) {
        const window = parse(text);
        // Not yet started is kept; ended or unreadable is dropped.
        if (!window || window.until <= now) expired.push(gateway);
        else if (isActive(window, now)) windows.set(gateway, window);
      }
      if (expired.length) await deps.redis.hdel(key, ...expired).catch(() => 0);
      return windows;
    },
    async get(gateway, now) {
      const window = parse(await deps.redis.hget(key, gateway));
      return isActive(window, now) ? window : undefined;
    },
  };
}
