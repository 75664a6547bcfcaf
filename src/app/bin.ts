#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { answerWithoutLoading, isOneShot } from './cli-usage.js';
import type { CliIo } from './cli-io.js';
import { exitWhenFlushed } from './exit-when-flushed.js';

/**
 * The `clawops` executable: the only place that hands the real process (argv, environment,
 * stdio, exit code) to the CLI, which itself stays a plain, testable function.
 *
 * `--version` and `help` are answered before anything else is loaded. A one-shot command (check,
 * config, acl, …) runs from the one-shot bundle beside this file, loaded through V8's code cache
 * (compile-cache.ts), and exits as soon as its answer is flushed, without waiting for the Gateway's
 * close echo or idle sockets. From source (tsx) there is no such bundle and the CLI is imported
 * as it is. The long-running processes import the CLI and run until a signal.
 */
const ONE_SHOT_BUNDLE = 'clawops-one-shot.cjs';

const argv = process.argv.slice(2);
const command = argv[0];
const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // isTTY is typed boolean but is undefined when stdout is not a terminal.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare
  isTty: process.stdout.isTTY === true,
};
const failed = (error: unknown) => {
  process.stderr.write(`clawops: ${error instanceof Error ? error.message : String(error)}\n`);
  return 2;
};

const quick = answerWithoutLoading(command);
if (quick) {
  process.stdout.write(quick.stdout);
  process.exitCode = quick.code;
} else if (isOneShot(command)) {
  exitWhenFlushed(await runOneShot().catch(failed));
} else {
  process.exitCode = await import('./cli.js').then(({ runCli }) => runCli(argv, process.env, io)).catch(failed);
}

async function runOneShot(): Promise<number> {
  const bundle = fileURLToPath(new URL(`./${ONE_SHOT_BUNDLE}`, import.meta.url));
  if (!existsSync(bundle)) {
    await import('./zod-one-shot.js');
    const { runOneShotCli } = await import('./one-shot-cli.js');
    return runOneShotCli(argv, process.env, io);
  }
  const { loadBundleWithCompileCache, compileCacheLabel } = await import('./compile-cache.js');
  const loaded = loadBundleWithCompileCache<typeof import('./one-shot.js')>(bundle, { env: process.env, label: compileCacheLabel(command) });
  const code = await loaded.exports.runOneShotCli(argv, process.env, io);
  loaded.save();
  return code;
}
