import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../config/load.js';
import { gatewayNames, type Env } from '../../config/targets.js';
import { UsageError } from '../../errors.js';
import { createProducerConnection, createWorkerConnection } from '../../queue/connection.js';
import { createHostCheckRequester, type HostCheckRequester } from '../../queue/host-check-requester.js';
import { createLogger } from '../../log.js';
import { suggest } from '../../suggest.js';
import type { Config } from '../../config/schema.js';
import type { AclAuditPort } from './acl-port.js';
import { resolveRedis } from '../../config/redis-target.js';
import type { Redis } from 'ioredis';
import type { ProbeReport } from '../../report/report.js';
import { exitCodeOf } from './checklist.js';
import { createAcceptCheck } from './check-runner.js';
import { createAcceptFeature } from './feature.js';
import type { FingerprintLookup } from './fingerprint-lookup.js';
import { renderChecklistMarkdown } from './markdown.js';
import { renderChecklistForTerminal } from './terminal.js';

/**
 * `clawops accept <name> [--format text|markdown|json] [--config PATH]`: the acceptance checklist
 * in a terminal. Exit 0 every line passed · 1 any line failed or could not be checked · 2 usage or
 * config error. The host agent is asked when the environment or the config file names the Redis
 * it reads (`REDIS_URL`, `REDIS_SENTINELS`, or `redis:`); otherwise its lines say so.
 */
export interface AcceptCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

export interface AcceptCliDeps {
  /** --config, else $CLAWOPS_CONFIG, else ./clawops.yaml (the CLI's rule). */
  configPathFrom: (explicit: string | undefined, env: Env) => string | undefined;
  fingerprints?: FingerprintLookup;
  /** The fingerprint store for this config (the state file `clawops check` writes), built by the entry point. */
  fingerprintsFor?: (config: Config, env: Env) => FingerprintLookup | undefined;
  /** The ACL audit for this config (the acl feature's, built by the entry point); absent: the ACL line says what to configure. */
  aclFor?: (config: Config, env: Env) => AclAuditPort | undefined;
  /** Test seam: the check behind the checklist (default: the real ladder from this node). */
  check?: (gateway: string) => Promise<ProbeReport>;
}

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function acceptCommand(args: string[], env: Env, io: AcceptCliIo, deps: AcceptCliDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { config: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, 'no-color': { type: 'boolean' } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const format = (values.json ? 'json' : (values.format ?? 'text')) as Format;
  if (!FORMATS.includes(format)) {
    const hint = suggest(String(values.format), [...FORMATS]);
    throw new UsageError(`--format: expected text, markdown or json, got ${JSON.stringify(values.format)}${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
  const path = deps.configPathFrom(values.config, env);
  if (!path)
    throw new UsageError(
      'no config file: pass --config PATH or set CLAWOPS_CONFIG (the checklist reads the gateway, its agent, publicAddress and the ACL settings from it)',
    );
  const config = await loadConfigFile(path);
  const known = gatewayNames(config);
  if (positionals.length > 1) throw new UsageError('one gateway at a time: `clawops accept <name>`');
  const name = positionals[0] ?? (known.length === 1 ? known[0] : undefined);
  if (!name) throw new UsageError(`which gateway? \`clawops accept <name>\` (configured: ${known.join(', ')})`);
  if (!known.includes(name)) {
    const hint = suggest(name, known);
    throw new UsageError(`no gateway named ${JSON.stringify(name.slice(0, 64))}.${hint ? ` Did you mean ${hint}?` : ''} Known gateways: ${known.join(', ')}`);
  }

  const agentConfigured = config.gateways[name]?.agent?.enabled === true;
  const redis = agentConfigured && !deps.check ? resolveRedis(env, config.redis) : undefined;
  const connections: Redis[] = [];
  let hostChecks: HostCheckRequester | undefined;
  if (redis && redis.from !== 'default') {
    const url = redis.url;
    const prefix = env.CLAWOPS_REDIS_PREFIX?.trim() || 'clawops';
    const logger = createLogger({ level: 'silent' });
    const connect = (connection: Redis) => {
      connection.on('error', () => undefined);
      connections.push(connection);
      return connection;
    };
    hostChecks = createHostCheckRequester({
      connection: connect(createProducerConnection(url)),
      eventsConnection: () => connect(createWorkerConnection(url)),
      prefix,
      logger,
    });
  }
  try {
    const check =
      deps.check ??
      (await createAcceptCheck({
        config,
        env,
        ...(hostChecks ? { hostChecks } : {}),
        onIdentityProblem: (message) => io.stderr(`clawops: device identity unavailable (${message}); checking token-only\n`),
      }));
    const acl = deps.aclFor?.(config, env);
    const fingerprints = deps.fingerprints ?? deps.fingerprintsFor?.(config, env);
    const feature = createAcceptFeature({
      config,
      check,
      ...(agentConfigured && !hostChecks && !deps.check
        ? { hostAgentNotAsked: 'this terminal has no REDIS_URL and the config file no redis: (the agent answers through the Redis it reads)' }
        : {}),
      ...(acl ? { acl } : {}),
      ...(fingerprints ? { fingerprints } : {}),
      now: Date.now,
      logger: createLogger({ level: 'silent' }),
    });
    const checklist = await feature.run(name);
    if (format === 'markdown') io.stdout(renderChecklistMarkdown(checklist));
    else if (format === 'json') io.stdout(`${JSON.stringify(checklist, null, 2)}\n`);
    else io.stdout(renderChecklistForTerminal(checklist, { color: io.isTty && values['no-color'] !== true && env.NO_COLOR === undefined }));
    return exitCodeOf(checklist);
  } finally {
    await hostChecks?.close().catch(() => undefined);
    for (const connection of connections) connection.disconnect();
  }
}
