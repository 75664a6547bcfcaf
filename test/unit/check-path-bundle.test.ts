/**
 * What `clawops check` loads, read from esbuild's metafile. The one-shot commands ship as one
 * CommonJS file (`npm run bundle:one-shot`, loaded through V8's code cache), where a module behind a
 * dynamic `import()` is initialised only when that import runs; the same structure, built with code
 * splitting, shows it as chunks: the chunks an entry imports statically load with it, a dynamic
 * `import()` is a separate decision. A one-shot check pays for
 * every module it loads (README, "Where a check's time goes"), so the modules it must not load are
 * named here: zod's classic API (the check path uses zod/mini), the config schema and its YAML
 * loader (only with a config file), the tailscale section (only with one or a tailscaled), the
 * report schema (only when a stored report is read back). Fails when an import pulls one back in.
 */
import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { bundle: string; 'bundle:one-shot': string } };
const externalsOf = (script: string) => [...script.matchAll(/--external:(\S+)/g)].map((match) => match[1]!);
/** The externals of package.json's `bundle` script, so that this builds what ships. */
const bundleExternals = () => externalsOf(scripts.bundle);

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
      entryPoints: ['src/app/bin.ts', 'src/app/one-shot.ts'],
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
    const loaded = [...['src/app/one-shot.ts', 'src/features/fingerprint/terminal.ts'].flatMap((entry) => [...staticallyLoaded(metafile, entry)])];
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

  it('the one-shot bundle holds no long-running process and no dynamic import(), and has the same externals', async () => {
    // vm.Script, which loads it with its code cache, has no loader for import(): each must be a require.
    expect(scripts['bundle:one-shot']).toContain('--supported:dynamic-import=false');
    expect(externalsOf(scripts['bundle:one-shot']).sort()).toEqual(bundleExternals().sort());
    const result = await build({
      entryPoints: ['src/app/one-shot.ts'],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      outfile: 'dist/metafile-test/one-shot.cjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__clawopsModuleUrl' },
      external: externalsOf(scripts['bundle:one-shot']),
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('src/app/one-shot-cli.ts');
    for (const absent of ['src/app/main.ts', 'src/app/composition-root.ts', 'src/app/cli.ts']) expect(inputs).not.toContain(absent);
    expect(result.outputFiles[0]!.text).not.toMatch(/\bimport\(/);
  });
});
