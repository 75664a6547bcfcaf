import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config/schema.js';
import { defaultTarget, gatewayNames, resolveTarget, urlTarget, type CheckTarget, type Env } from '../config/targets.js';
import { DEFAULT_TAILSCALED_SOCKET, EnvNameSchema, GatewayUrlSchema } from '../config/fields.js';
import { AppError, ConfigError, UnknownGatewayError, UsageError } from '../errors.js';
import { createChecker, type CheckResult } from '../check/checker.js';
import { connectToGateway } from '../openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../openclaw/device-identity.js';
import type { DeviceIdentity } from '../openclaw/types.js';
import { renderCheckForTerminal } from '../render/terminal.js';
import { identityPath } from '../config/paths.js';
import { EXIT, answerWithoutLoading } from './cli-usage.js';
import type { LadderDeps } from '../probes/ladder.js';
import { configPathFrom, type CliIo } from './cli-io.js';

export { configPathFrom, type CliIo };

/**
 * The commands that answer and end: check, config, acl, accept, fingerprint, ticket. They need no
 * Slack and no Redis and load nothing of them. The long-running processes (start, bot, worker,
 * agent) are cli.ts's: this module never imports them, so that the one-shot bundle the bin loads
 * through V8's code cache (one-shot.ts) holds only what these commands run. Usage, version and exit
 * codes live in cli-usage.ts (the bin answers those without loading this).
 */
export { EXIT } from './cli-usage.js';

export async function runOneShotCli(argv: string[], env: Env, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '-h':
      case '--help':
      case '--version':
      case 'version': {
        const answer = answerWithoutLoading(command)!;
        io.stdout(answer.stdout);
        return answer.code;
      }
      case 'check':
        return await checkCommand(rest, env, io);
      case 'config':
        return await configCommand(rest, env, io);
      case 'acl': {
        const { aclCommand } = await import('./acl-cli.js');
        return await aclCommand(rest, env, io);
      }
      case 'accept': {
        const [{ acceptCommand }, { createAclAuditService }, { adminApiFromConfig }, { createFileFingerprintStore, latestFingerprint }, { fingerprintLookup }] =
          await Promise.all([
            import('../features/accept/cli-command.js'),
            import('../features/acl/acl-service.js'),
            import('../tailscale/admin-api-config.js'),
            import('../features/fingerprint/index.js'),
            import('./fingerprint-lookup.js'),
          ]);
        return await acceptCommand(rest, env, io, {
          configPathFrom,
          // The state file `clawops check` keeps beside the device identity: the last good check from this terminal.
          fingerprintsFor: (config, env) => {
            const store = createFileFingerprintStore(fingerprintStatePath(config, env));
            return fingerprintLookup({ latestFingerprint: (gateway) => latestFingerprint(store, gateway) });
          },
          aclFor: (config, env) =>
            config.tailscale?.adminApi ? createAclAuditService({ config, admin: adminApiFromConfig(config.tailscale.adminApi, env) }) : undefined,
        });
      }
      case 'fingerprint': {
        const { fingerprintCommand } = await import('../features/fingerprint/cli.js');
        return await fingerprintCommand(rest, env, io, { runChecks });
      }
      case 'ticket': {
        const { ticketCommand } = await import('../features/fingerprint/ticket/cli.js');
        return await ticketCommand(rest, env, io, { runChecks });
      }
      case 'start':
      case 'bot':
      case 'worker':
      case 'agent':
        // cli.ts routes these to the long-running processes before calling here.
        throw new UsageError(`\`clawops ${command}\` runs until stopped; it is not a one-shot command`);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}

/** A command's error as the terminal shows it, and its exit code (2: usage or configuration). */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError) {
    io.stderr(`clawops: ${error.message}\n${error.issues.map((issue) => `  ${issue}\n`).join('')}`);
    return EXIT.usage;
  }
  if (error instanceof UnknownGatewayError) {
    io.stderr(`clawops: ${error.message}${error.known.length ? ` Known gateways: ${error.known.join(', ')}.` : ''}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr(`clawops: ${error.message}\nRun \`clawops help\` for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof AppError) {
    io.stderr(`clawops: ${error.message}\n`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`clawops: unexpected error: ${message}\n`);
  return EXIT.usage;
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The config loader and its YAML parser are imported only when there is a file to read: they are a
 * large share of the start-up of a check that has none (`--url`, OpenClaw's defaults).
 */
async function loadConfigFile(path: string): Promise<Config> {
  const { loadConfigFile: load } = await import('../config/load.js');
  return load(path);
}

async function configCommand(args: string[], env: Env, io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string' } });
  if (positionals[0] !== 'validate' || positionals.length > 1) throw new UsageError('expected `clawops config validate [--config PATH]`');
  const path = configPathFrom(values.config as string | undefined, env);
  if (!path) throw new UsageError('no config file: pass --config PATH or set CLAWOPS_CONFIG');
  const config = await loadConfigFile(path);
  const names = gatewayNames(config);
  const missing = names.map((name) => resolveTarget(config, name, env)).filter((target) => target.token === undefined);
  io.stdout(`${path}: valid · ${names.length} gateway(s): ${names.join(', ')}\n`);
  if (missing.length) io.stdout(`note: token env not set here for ${missing.map((target) => `${target.name} (${target.tokenEnv})`).join(', ')}\n`);
  return EXIT.healthy;
}

async function checkCommand(args: string[], env: Env, io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: 'string' },
    all: { type: 'boolean' },
    url: { type: 'string' },
    'token-env': { type: 'string' },
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
  });
  let reminder: Promise<string | undefined> | undefined;
  const { targets, results, fingerprints } = await runChecks(
    {
      config: values.config as string | undefined,
      names: positionals,
      all: values.all === true,
      url: values.url as string | undefined,
      tokenEnv: values['token-env'] as string | undefined,
    },
    env,
    io,
    (config, targets) => {
      // Open offboarding reminders (when configured and Redis answers): read alongside the probes, never waited for past a short deadline.
      reminder =
        config?.offboarding && values.json !== true
          ? import('../features/offboarding/terminal-reminder.js')
              .then(({ offboardingReminderForTerminal }) =>
                offboardingReminderForTerminal({
                  env,
                  ...(config.redis ? { redis: config.redis } : {}),
                  gateways: targets.map((target) => target.name),
                }),
              )
              .catch(() => undefined)
          : undefined;
    },
  );

  if (values.json) {
    const payload = results.map(({ report, diagnosis }) => ({ report, diagnosis }));
    io.stdout(`${JSON.stringify(targets.length === 1 && !values.all ? payload[0] : payload, null, 2)}\n`);
  } else {
    const color = io.isTty && values['no-color'] !== true && env.NO_COLOR === undefined;
    io.stdout(
      results.map((result, index) => renderCheckForTerminal(result.report, result.diagnosis, { color, annotations: fingerprints[index] ?? [] })).join('\n'),
    );
    const footer = await reminder;
    if (footer) io.stdout(`\n${footer}\n`);
  }
  return results.every(({ diagnosis }) => diagnosis.state === 'healthy') ? EXIT.healthy : EXIT.unhealthy;
}

/** What a check run gives the commands built on it (`check`, `fingerprint`, `ticket`). */
export interface CheckRun {
  config?: Config;
  targets: CheckTarget[];
  results: CheckResult[];
  /** Per result, the fingerprint diff since the last good check (terminal lines). */
  fingerprints: string[][];
  /** The state file the fingerprints are kept in (beside the device identity). */
  fingerprintPath: string;
}

export type RunChecks = (
  request: { config?: string; names: string[]; all?: boolean; url?: string; tokenEnv?: string },
  env: Env,
  io: CliIo,
  beforeProbes?: (config: Config | undefined, targets: CheckTarget[]) => void,
) => Promise<CheckRun>;

/**
 * Probe, diagnose, and keep the success fingerprints in their state file: the diff since the last
 * good check is read first, then this check is recorded. The state file never fails a check.
 */
export const runChecks: RunChecks = async (request, env, io, beforeProbes) => {
  const configPath = configPathFrom(request.config, env);
  const config = configPath ? await loadConfigFile(configPath) : undefined;
  const targets = selectTargets(
    {
      names: request.names,
      all: request.all === true,
      ...(request.url !== undefined ? { url: request.url } : {}),
      ...(request.tokenEnv !== undefined ? { tokenEnv: request.tokenEnv } : {}),
    },
    config,
    env,
  );
  beforeProbes?.(config, targets);
  const identity = await identityFor(targets, config, env, io);
  const checker = createChecker({ connect: connectToGateway, identity, ...(await ladderProbes(config, targets, env)) });
  const results: CheckResult[] = await checker.checkMany(targets, { concurrency: 16 });
  const { terminalFingerprints } = await import('../features/fingerprint/terminal.js');
  const fingerprintPath = fingerprintStatePath(config, env);
  const fingerprints = await terminalFingerprints(fingerprintPath, results);
  return { ...(config ? { config } : {}), targets, results, fingerprints, fingerprintPath };
};

/** The success fingerprints of `clawops check`: beside the device identity, in the XDG state dir. */
function fingerprintStatePath(config: Config | undefined, env: Env): string {
  return join(dirname(identityPath(config?.identity.path, env)), 'fingerprints.json');
}

export function selectTargets(
  request: { names: string[]; all: boolean; url?: string; tokenEnv?: string },
  config: Config | undefined,
  env: Env,
): CheckTarget[] {
  if (request.url !== undefined) {
    if (request.names.length || request.all) throw new UsageError('--url checks one ad-hoc gateway: give either --url or names/--all');
    const url = GatewayUrlSchema.safeParse(request.url);
    if (!url.success) throw new UsageError(`--url: ${url.error.issues[0]?.message ?? 'invalid'}`);
    const tokenEnv = request.tokenEnv ?? 'OPENCLAW_GATEWAY_TOKEN';
    const name = EnvNameSchema.safeParse(tokenEnv);
    if (!name.success) throw new UsageError(`--token-env: ${name.error.issues[0]?.message ?? 'invalid'}`);
    return [urlTarget(request.url, tokenEnv, env)];
  }
  if (request.tokenEnv !== undefined) throw new UsageError('--token-env goes with --url (configured gateways name their tokenEnv in the config)');
  if (!config) {
    if (request.names.length || request.all) throw new UsageError('no config file: pass --config PATH or set CLAWOPS_CONFIG to check gateways by name');
    return [defaultTarget(env)];
  }
  if (request.all) {
    if (request.names.length) throw new UsageError('give either names or --all');
    return gatewayNames(config).map((name) => resolveTarget(config, name, env));
  }
  const names = request.names.length ? request.names : gatewayNames(config).length === 1 ? gatewayNames(config) : [];
  if (names.length === 0) throw new UsageError(`name a gateway or pass --all (configured: ${gatewayNames(config).join(', ')})`);
  return [...new Set(names)].map((name) => resolveTarget(config, name, env));
}

/**
 * The tailnet layers and the exposure probe, imported only when a tailscaled or a publicAddress is in
 * play. Without a `tailscale:` section only tailscaled's default socket can bring the tailnet layers
 * in (`tailnetSettingsFor`): without it, the section's schemas are not loaded at all.
 */
async function ladderProbes(config: Config | undefined, targets: CheckTarget[], env: Env): Promise<Partial<LadderDeps>> {
  const exposure = targets.some((target) => target.publicAddress !== undefined);
  if (!exposure && !config?.tailscale && !existsSync(DEFAULT_TAILSCALED_SOCKET)) return {};
  const [{ tailnetSettingsFor }, { ladderProbesFor }] = await Promise.all([
    import('../config/sections/tailscale.js'),
    import('../probes/tailnet/from-config.js'),
  ]);
  const tailnet = tailnetSettingsFor(config?.tailscale, existsSync);
  if (!tailnet && !exposure) return {};
  return ladderProbesFor(tailnet, { exposure, ...(config ? { config, env } : {}) });
}

async function identityFor(targets: CheckTarget[], config: Config | undefined, env: Env, io: CliIo): Promise<DeviceIdentity | undefined> {
  if (targets.every((target) => target.device === 'never')) return undefined;
  const path = identityPath(config?.identity.path, env);
  try {
    return await loadOrCreateDeviceIdentity(path);
  } catch (error) {
    // Without an identity the check still runs token-only; say why once.
    io.stderr(`clawops: device identity unavailable (${error instanceof Error ? error.message : String(error)}); checking token-only\n`);
    return undefined;
  }
}
