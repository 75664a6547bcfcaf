#!/usr/bin/env node
import { runCli } from './cli.js';

/**
 * The `clawops` executable: the only place that hands the real process (argv, environment,
 * stdio, exit code) to the CLI, which itself stays a plain, testable function.
 */
runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // isTTY is typed boolean but is undefined when stdout is not a terminal.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare
  isTty: process.stdout.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`clawops: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
