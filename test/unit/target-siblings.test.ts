import { describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { resolveTarget, type Env } from '../../src/config/targets.js';

/** The scan over the whole fleet that resolveTarget did before its index (the reference). */
function scanned(config: Config, name: string, env: Env) {
  const nonEmpty = (value: string | undefined) => (value && value.trim() !== '' ? value : undefined);
  const tokenEnv = config.gateways[name]!.tokenEnv ?? config.defaults.tokenEnv;
  const token = nonEmpty(env[tokenEnv]);
  const canonical = config.gateways[name]?.aliasOf ?? name;
  const aliases = Object.keys(config.gateways).filter(
    (other) => other !== name && (other === canonical || (config.gateways[other]!.aliasOf ?? other) === canonical),
  );
  if (token === undefined) return aliases.length ? { aliases } : {};
  const sameTokenAs: Array<{ gateway: string; tokenEnv: string }> = [];
  for (const [other, gateway] of Object.entries(config.gateways)) {
    const otherEnv = gateway.tokenEnv ?? config.defaults.tokenEnv;
    if (other === name || aliases.includes(other) || otherEnv === tokenEnv) continue;
    if (nonEmpty(env[otherEnv]) === token) sameTokenAs.push({ gateway: other, tokenEnv: otherEnv });
  }
  return { ...(sameTokenAs.length ? { sameTokenAs } : {}), ...(aliases.length ? { aliases } : {}) };
}

/** A small deterministic generator: the same fleets on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % below;
  };
}

describe('a target’s aliases and same-token gateways, from the config’s index', () => {
  it('match the fleet scan on random fleets: aliases either way, shared and swapped tokens, unset variables', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed);
      const count = 2 + next(14);
      const names = Array.from({ length: count }, (_, index) => `gw-${index}`);
      // Aliases point backwards, at a gateway that is no alias itself (the schema refuses chains).
      const canonicals: string[] = [];
      const gateways = Object.fromEntries(
        names.map((name, index) => {
          const aliasOf = canonicals.length > 0 && next(3) === 0 ? canonicals[next(canonicals.length)] : undefined;
          if (!aliasOf) canonicals.push(name);
          return [name, { url: `ws://10.0.0.${index + 1}:18789`, ...(next(3) === 0 ? {} : { tokenEnv: `TOKEN_${next(4)}` }), ...(aliasOf ? { aliasOf } : {}) }];
        }),
      );
      const config = ConfigSchema.parse({ gateways });
      const env: Env = { OPENCLAW_GATEWAY_TOKEN: ['a', 'b', undefined][next(3)] };
      for (let variable = 0; variable < 4; variable++) env[`TOKEN_${variable}`] = ['a', 'b', 'c', '', undefined][next(5)];
      for (const name of names) {
        const target = resolveTarget(config, name, env);
        expect({ sameTokenAs: target.sameTokenAs, aliases: target.aliases }, `seed ${seed}, ${name}`).toEqual({
          sameTokenAs: undefined,
          aliases: undefined,
          ...scanned(config, name, env),
        });
      }
    }
  });

  it('a token meant for another gateway is named; an alias sharing it is not', () => {
    const config = ConfigSchema.parse({
      gateways: {
        prod: { url: 'ws://10.0.0.1:18789', tokenEnv: 'PROD_TOKEN' },
        'prod-serve': { url: 'wss://prod.example.ts.net', tokenEnv: 'PROD_SERVE_TOKEN', aliasOf: 'prod' },
        staging: { url: 'ws://10.0.0.2:18789', tokenEnv: 'STAGING_TOKEN' },
      },
    });
    const target = resolveTarget(config, 'staging', { PROD_TOKEN: 'same', PROD_SERVE_TOKEN: 'same', STAGING_TOKEN: 'same' });
    expect(target.sameTokenAs).toEqual([
      { gateway: 'prod', tokenEnv: 'PROD_TOKEN' },
      { gateway: 'prod-serve', tokenEnv: 'PROD_SERVE_TOKEN' },
    ]);
    expect(resolveTarget(config, 'prod', { PROD_TOKEN: 'same', PROD_SERVE_TOKEN: 'same' })).toMatchObject({ aliases: ['prod-serve'] });
    expect(resolveTarget(config, 'prod', { PROD_TOKEN: 'same', PROD_SERVE_TOKEN: 'same' }).sameTokenAs).toBeUndefined();
  });
});
