import { CLAWOPS_VERSION } from '../version.js';

/**
 * What `clawops` can answer before it loads anything: its usage, its version and the exit codes.
 * Kept apart from cli.ts so that `clawops --version` and `clawops help` never load zod, ws, the
 * probes or the diagnosis (the bin answers them from here and imports cli.ts only for real work).
 * Exit codes: 0 healthy · 1 unhealthy or degraded · 2 usage or configuration error.
 */
export const EXIT = { healthy: 0, unhealthy: 1, usage: 2 } as const;

export const USAGE = `clawops ${CLAWOPS_VERSION} — layered checks of OpenClaw Gateways over a tailnet

Usage:
  clawops check [NAME ...]            check configured gateways (no NAME and no config: OpenClaw's
                                      defaults, ws://127.0.0.1:$OPENCLAW_GATEWAY_PORT or 18789,
                                      token from $OPENCLAW_GATEWAY_TOKEN)
  clawops check --all                 check every configured gateway
  clawops check --url ws://HOST:PORT [--token-env NAME]
  clawops config validate             validate the config file (exit 2 when invalid)
  clawops acl [NAME ...]              audit the tailnet policy file for the gateways (exit 1 on
                                      findings); --no-validate skips the policy's own tests
  clawops fingerprint NAME [--json]   check now; the current and last good success fingerprints
                                      and what changed
  clawops ticket NAME [--output PATH] check now; write the ticket bundle (report, fingerprint and
                                      diff, doctor lint, last failure; secrets scrubbed)
  clawops accept NAME [--format markdown|text|json]
                                      the change-ticket acceptance checklist, run now (exit 0
                                      every line passed · 1 any failed or not checked)
  clawops start | bot | worker        run the Slack bot and/or the check worker (needs Redis)
  clawops agent --gateway NAME        run the host agent on a gateway host

Options:
  --config PATH     config file (default: $CLAWOPS_CONFIG, else ./clawops.yaml if present)
  --json            print the report and verdicts as JSON
  --no-color        never colour the output
  -h, --help        this help;  --version  the version

Exit: 0 healthy · 1 unhealthy or degraded · 2 usage or config error`;

/** The answer to `help` / `--version` (and to no command at all), or undefined for every other command. */
export function answerWithoutLoading(command: string | undefined): { code: number; stdout: string } | undefined {
  switch (command) {
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      return { code: command === undefined ? EXIT.usage : EXIT.healthy, stdout: `${USAGE}\n` };
    case '--version':
    case 'version':
      return { code: EXIT.healthy, stdout: `${CLAWOPS_VERSION}\n` };
    default:
      return undefined;
  }
}

/** The commands one-shot-cli.ts answers (besides help and version). */
export const ONE_SHOT_COMMANDS: ReadonlySet<string> = new Set(['check', 'config', 'acl', 'accept', 'fingerprint', 'ticket']);

/** Commands that answer and end (the rest run until a signal): their process exits as soon as the answer is out. */
export function isOneShot(command: string | undefined): boolean {
  return command !== 'start' && command !== 'bot' && command !== 'worker' && command !== 'agent';
}
