/**
 * What `clawops check` loads, from the bundle as `npm run bundle` builds it (esbuild, code
 * splitting, the same externals), read from esbuild's metafile: the chunks an entry imports
 * statically load with it; a dynamic `import()` is a separate decision. A one-shot check pays for
 * every module it loads (README, "Where a check's time goes"), so the modules it must not load are
 * named here: zod's classic API (the check path uses zod/mini), the config schema and its YAML
 * loader (only with a config file), the tailscale section (only with one or a tailscaled), the
 * report schema (only when a stored report is read back). Fails when an import pulls one back in.
 */
import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

/** The externals of package.json's `bundle` script, so that this builds what ships. */
function bundleExternals(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { bundle: string } };
  return [...scripts.bundle.matchAll(/--external:(\S+)/g)].map((match) => match[1]!);
}

/** Every input module that loads with the output chunk of `entry`: its static imports, transitively. */
function staticallyLoaded(metafile: Metafile, entry: string): Set<string> {
  const outputs = Object.entries(metafile.outputs);
  const start = outputs.find(([, output]) => output.entryPoint === entry)?.[0];
  if (!start) throw new Error(`no output chunk for ${entry}`);
  const chunks = new Set<string>();
  const visit = (path: string) => {
    if (chunks.has(path)) return;
    chunks.add(path);
    for (const imported of metafile.outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(start);
  return new Set([...chunks].flatMap((chunk) => Object.keys(metafile.outputs[chunk]!.inputs)));
}

describe('the modules a `clawops check` loads (the bundle)', () => {
  let metafile: Metafile;
  beforeAll(async () => {
    const result = await build({
      entryPoints: ['src/app/bin.ts'],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: 'dist/metafile-test',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: bundleExternals(),
    });
    metafile = result.metafile;
  });

  it('`clawops --version` and `help` load no zod at all', () => {
    const loaded = [...staticallyLoaded(metafile, 'src/app/bin.ts')];
    expect(loaded.filter((input) => input.includes('node_modules/zod/'))).toEqual([]);
    expect(loaded).toContain('src/app/cli-usage.ts');
  });

  it('a check loads zod/mini, not the classic API, nor the config, tailscale or report schemas', () => {
    const loaded = [
      ...['src/app/zod-one-shot.ts', 'src/app/cli.ts', 'src/features/fingerprint/terminal.ts'].flatMap((entry) => [...staticallyLoaded(metafile, entry)]),
    ];
    // What a check is made of is there (so that the absences below mean something).
    for (const needed of [
      'src/openclaw/frames.ts',
      'src/probes/ladder.ts',
      'src/diagnosis/diagnose.ts',
      'src/features/fingerprint/file-store.ts',
      'node_modules/zod/v4/mini/schemas.js',
    ])
      expect(loaded).toContain(needed);
    expect(loaded.filter((input) => input.includes('node_modules/zod/v4/classic/') || input === 'node_modules/zod/index.js')).toEqual([]);
    for (const absent of ['src/config/schema.ts', 'src/config/load.ts', 'src/config/sections/tailscale.ts', 'src/report/report.ts'])
      expect(loaded).not.toContain(absent);
  });
});
