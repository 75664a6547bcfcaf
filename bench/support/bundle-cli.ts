import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_CLI } from './build.js';

/**
 * A what-if for the start-up figures: the same built CLI bundled into a few ESM files with esbuild
 * (dependencies included, dynamic imports split off), as a build step could ship it. Most of a short
 * `clawops check`'s start-up is Node 20's ESM loader handling ~145 files, 95 of them zod's; this
 * measures what a bundled bin would save. Nothing is shipped this way today.
 *
 * esbuild is not a dependency of clawops: it is used when present (tsx brings it); otherwise this
 * returns undefined and the figure is left out.
 */
export async function bundleCli(outDir: string): Promise<string | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  // The CLI runs itself only when it is the entry script; in a bundle the entry is this file.
  const entry = join(outDir, 'entry.mjs');
  writeFileSync(
    entry,
    // A path, not a file: URL: esbuild resolves paths (the import is gone from the bundle anyway).
    `import { runCli } from ${JSON.stringify(DIST_CLI)};\n` +
      'runCli(process.argv.slice(2), process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), isTty: process.stdout.isTTY === true })\n' +
      '  .then((code) => { process.exitCode = code; });\n',
  );
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: join(outDir, 'out'),
    logLevel: 'error',
    // Bundled CommonJS dependencies (ws) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  });
  return join(outDir, 'out', 'entry.js');
}
