import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import { parseStored } from '../../state/stored-json.js';
import { OffboardingSchema, isOpen, type Offboarding } from './model.js';

/**
 * Offboardings in Redis. One record per offboarding (a hash: `rev` + `data`, written with a
 * compare-and-set so two clicks at once cannot lose each other's update), an index of the open
 * ones by age, and claims that make every trigger act once: per person (the login, for ever: a
 * suspended user seen by every poll, or a profile edit of a deleted user, opens nothing new) and
 * per Slack event id (Slack retries events). Keys carry a hash of the login, not the login.
 */
export interface OffboardingStore {
  /** Claims the person for a new offboarding; returns the existing id when already claimed. */
  claimPerson(login: string, id: string): Promise<{ claimed: true } | { claimed: false; existingId: string }>;
  /** Moves a claim from a closed offboarding to a new one (a person asked again, explicitly). */
  reclaimPerson(login: string, fromId: string, toId: string): Promise<boolean>;
  /** Whether this person was ever offboarded (open or closed). */
  personClaimed(login: string): Promise<boolean>;
  /** The offboarding that holds this person's claim. */
  idForPerson(login: string): Promise<string | undefined>;
  /** Drops a claim that was never followed by a record (gathering failed before create). */
  releasePerson(login: string, id: string): Promise<void>;
  /** True the first time an event id is seen (kept a day: Slack retries within minutes). */
  claimEvent(eventId: string): Promise<boolean>;
  create(offboarding: Offboarding): Promise<void>;
  get(id: string): Promise<Offboarding | undefined>;
  /** Read-modify-write under compare-and-set; `change` returns undefined to write nothing. */
  update(id: string, change: (current: Offboarding) => Offboarding | undefined): Promise<Offboarding | undefined>;
  /** Open offboardings, oldest first. */
  listOpen(limit?: number): Promise<Offboarding[]>;
  countOpen(): Promise<number>;
  /** A ticked token rotation, for the rotation correlation under verdicts (kept after close). */
  recordRotation(gateway: string, at: number): Promise<void>;
  lastRotation(gateway: string): Promise<number | undefined>;
  /** The logins the last users poll saw (to notice removed ones). */
  knownLogins(): Promise<Set<string> | undefined>;
  setKnownLogins(logins: Iterable<string>): Promise<void>;
  /** A change shown by "Show policy change", so that Apply applies exactly what was reviewed. */
  saveShownChange(id: string, group: string, change: ShownChange): Promise<void>;
  shownChange(id: string, group: string): Promise<ShownChange | undefined>;
}

export const ShownChangeSchema = z.object({ etag: z.string().min(1).max(200), text: z.string().max(1_000_000), at: z.number().int(), by: z.string().max(32) });
export type ShownChange = z.infer<typeof ShownChangeSchema>;

const CAS = `if (redis.call('hget', KEYS[1], 'rev') or '') == ARGV[1] then
  redis.call('hset', KEYS[1], 'rev', ARGV[2], 'data', ARGV[3])
  return 1
end
return 0`;

const fingerprint = (text: string) => createHash('sha256').update(text.toLowerCase()).digest('hex').slice(0, 24);

export function createOffboardingStore(deps: { redis: Redis; prefix: string; maxRetries?: number }): OffboardingStore {
  const base = `${deps.prefix}:offboarding`;
  const recordKey = (id: string) => `${base}:record:${id}`;
  const openKey = `${base}:open`;
  const personKey = (login: string) => `${base}:person:${fingerprint(login)}`;
  const eventKey = (eventId: string) => `${base}:event:${fingerprint(eventId)}`;
  const rotationsKey = `${base}:rotations`;
  const loginsKey = `${base}:known-logins`;
  const shownKey = (id: string, group: string) => `${base}:shown:${id}:${fingerprint(group)}`;
  const maxRetries = deps.maxRetries ?? 50;

  async function read(id: string): Promise<{ rev: string; record: Offboarding } | undefined> {
    const [rev, data] = await deps.redis.hmget(recordKey(id), 'rev', 'data');
    if (!rev) return undefined;
    const record = parseStored(OffboardingSchema, data);
    return record ? { rev, record } : undefined;
  }

  async function write(record: Offboarding, expectedRev: string): Promise<boolean> {
    const valid = OffboardingSchema.parse(record);
    const next = String(Number(expectedRev || '0') + 1);
    const written = await deps.redis.eval(CAS, 1, recordKey(valid.id), expectedRev, next, JSON.stringify(valid));
    if (written !== 1) return false;
    if (isOpen(valid)) await deps.redis.zadd(openKey, valid.openedAt, valid.id);
    else await deps.redis.zrem(openKey, valid.id);
    return true;
  }

  const store: OffboardingStore = {
    async claimPerson(login, id) {
      const set = await deps.redis.set(personKey(login), id, 'NX');
      if (set === 'OK') return { claimed: true };
      return { claimed: false, existingId: (await deps.redis.get(personKey(login))) ?? '' };
    },
    async reclaimPerson(login, fromId, toId) {
      const moved = await deps.redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2]) return 1 end return 0",
        1,
        personKey(login),
        fromId,
        toId,
      );
      return moved === 1;
    },
    async personClaimed(login) {
      return (await deps.redis.exists(personKey(login))) === 1;
    },
    async idForPerson(login) {
      return (await deps.redis.get(personKey(login))) ?? undefined;
    },
    async releasePerson(login, id) {
      await deps.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, personKey(login), id);
    },
    async claimEvent(eventId) {
      return (await deps.redis.set(eventKey(eventId), '1', 'EX', 24 * 3600, 'NX')) === 'OK';
    },
    async create(offboarding) {
      if (!(await write(offboarding, ''))) throw new Error(`offboarding ${offboarding.id} already exists`);
    },
    async get(id) {
      return (await read(id))?.record;
    },
    async update(id, change) {
      for (let attempt = 0; attempt < maxRetries; attempt++) {
        const current = await read(id);
        if (!current) return undefined;
        const next = change(structuredClone(current.record));
        if (!next) return current.record;
        if (await write(next, current.rev)) return next;
        // Someone else wrote first: read again after a short, random pause so writers spread out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 4 * (attempt + 1)));
      }
      throw new Error(`offboarding ${id}: too many concurrent updates`);
    },
    async listOpen(limit = 500) {
      const ids = await deps.redis.zrange(openKey, 0, limit - 1);
      const records = await Promise.all(ids.map((id) => store.get(id)));
      return records.filter((record): record is Offboarding => record !== undefined && isOpen(record));
    },
    async countOpen() {
      return deps.redis.zcard(openKey);
    },
    async recordRotation(gateway, at) {
      await deps.redis.hset(rotationsKey, gateway, String(at));
    },
    async lastRotation(gateway) {
      const value = await deps.redis.hget(rotationsKey, gateway);
      const at = value === null ? Number.NaN : Number(value);
      return Number.isFinite(at) ? at : undefined;
    },
    async knownLogins() {
      const exists = await deps.redis.exists(loginsKey);
      if (!exists) return undefined;
      return new Set((await deps.redis.smembers(loginsKey)).filter((login) => login !== ''));
    },
    async setKnownLogins(logins) {
      // An empty marker member keeps "polled, nobody there" apart from "never polled".
      await deps.redis
        .multi()
        .del(loginsKey)
        .sadd(loginsKey, '', ...[...logins].map((login) => login.toLowerCase()))
        .exec();
    },
    async saveShownChange(id, group, change) {
      await deps.redis.set(shownKey(id, group), JSON.stringify(ShownChangeSchema.parse(change)), 'EX', 7 * 24 * 3600);
    },
    async shownChange(id, group) {
      return parseStored(ShownChangeSchema, await deps.redis.get(shownKey(id, group)));
    },
  };
  return store;
}
