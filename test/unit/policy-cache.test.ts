import { describe, expect, it } from 'vitest';
import { TailscaleApiError } from '../../src/tailscale/admin-api.js';
import { createPolicyCache } from '../../src/policy/policy-cache.js';

function adminWith(answers: Array<{ hujson: string; etag: string } | Error>) {
  let calls = 0;
  let parses = 0;
  return {
    admin: {
      async getPolicy() {
        const answer = answers[Math.min(calls++, answers.length - 1)]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    calls: () => calls,
    parses: () => parses,
  };
}

const POLICY = { hujson: '{ "acls": [] }', etag: '"v1"' };

describe('policy cache', () => {
  it('one fetch per TTL, shared by concurrent callers', async () => {
    let now = 0;
    const fake = adminWith([POLICY]);
    const cache = createPolicyCache({ admin: fake.admin, ttlMs: 1_000, now: () => now });
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a.ok && b.ok).toBe(true);
    expect(fake.calls()).toBe(1);
    now = 999;
    await cache.get();
    expect(fake.calls()).toBe(1);
    now = 1_000;
    await cache.get();
    expect(fake.calls()).toBe(2);
  });

  it('an unchanged ETag keeps the parsed policy object (no re-parse)', async () => {
    let now = 0;
    const fake = adminWith([POLICY, POLICY, { hujson: '{ "acls": [{ "action": "accept", "src": ["*"], "dst": ["*:*"] }] }', etag: '"v2"' }]);
    const cache = createPolicyCache({ admin: fake.admin, ttlMs: 10, now: () => now });
    const first = await cache.get();
    now = 20;
    const second = await cache.get();
    now = 40;
    const third = await cache.get();
    if (!first.ok || !second.ok || !third.ok) throw new Error('expected policies');
    expect(second.policy).toBe(first.policy);
    expect(third.policy).not.toBe(first.policy);
    expect(third.policy.acls).toHaveLength(1);
  });

  it('a failure is remembered briefly; a refresh failure serves the last good policy as stale', async () => {
    let now = 0;
    const fake = adminWith([POLICY, new TailscaleApiError('forbidden', 'GET tailnet/-/acl answered 403')]);
    const cache = createPolicyCache({ admin: fake.admin, ttlMs: 10, failureTtlMs: 100, now: () => now });
    await cache.get();
    now = 20;
    expect(await cache.get()).toMatchObject({ ok: true, stale: true });
    now = 50;
    expect(await cache.get()).toMatchObject({ ok: true, stale: true });
    expect(fake.calls()).toBe(2);

    const broken = createPolicyCache({ admin: adminWith([new TailscaleApiError('forbidden', 'GET tailnet/-/acl answered 403')]).admin });
    expect(await broken.get()).toEqual({ ok: false, message: expect.stringContaining('lacks the policy_file scope') });
  });

  it('a caller that gives up gets an answer at once; the shared fetch goes on', async () => {
    let release: (value: { hujson: string; etag: string }) => void = () => undefined;
    const cache = createPolicyCache({ admin: { getPolicy: () => new Promise((resolve) => (release = resolve)) } });
    const controller = new AbortController();
    const waiting = cache.get({ signal: controller.signal });
    const other = cache.get();
    controller.abort();
    expect(await waiting).toMatchObject({ ok: false });
    release(POLICY);
    expect(await other).toMatchObject({ ok: true });
  });
});
