#!/usr/bin/env node
import { answerWithoutLoading, isOneShot } from './cli-usage.js';
import { exitWhenFlushed } from './exit-when-flushed.js';

/**
 * The `clawops` executable: the only place that hands the real process (argv, environment,
 * stdio, exit code) to the CLI, which itself stays a plain, testable function.
 *
 * `--version` and `help` are answered before anything else is loaded; every other command imports
 * the CLI (zod, ws, the probes) first. A one-shot command (check, config, acl) exits as soon as its
 * answer is flushed, without waiting for the Gateway's close echo or idle sockets, and parses with
 * zod's JIT off (zod-one-shot.ts says why).
 */
const argv = process.argv.slice(2);
const quick = answerWithoutLoading(argv[0]);
if (quick) {
  process.stdout.write(quick.stdout);
  process.exitCode = quick.code;
} else {
  if (isOneShot(argv[0])) await import('./zod-one-shot.js');
  const code = await import('./cli.js')
    .then(({ runCli }) =>
      runCli(argv, process.env, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        // isTTY is typed boolean but is undefined when stdout is not a terminal.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare
        isTty: process.stdout.isTTY === true,
      }),
    )
    .catch((error: unknown) => {
      process.stderr.write(`clawops: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    });
  if (isOneShot(argv[0])) exitWhenFlushed(code);
  else process.exitCode = code;
}
