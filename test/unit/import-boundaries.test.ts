import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type IConfiguration } from 'dependency-cruiser';

// The boundary check of `npm run lint` (.dependency-cruiser.cjs), run on a tiny tree that breaks each rule once,
// and on one that keeps them: the rules catch what they are meant to, so CI fails when a boundary is broken.
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'clawops-boundaries-'));
  dirs.push(root);
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function violations(root: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const result = await cruise(
      ['src', 'commands', 'jobs'].filter((dir) => existsSync(join(root, dir))),
      { validate: true, ruleSet: { forbidden: config.forbidden ?? [] }, ...config.options, baseDir: root, tsConfig: { fileName: 'tsconfig.json' } },
    );
    const output = result.output;
    if (typeof output === 'string') throw new Error(`unexpected string output: ${output.slice(0, 200)}`);
    return output.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('the import-boundary check (.dependency-cruiser.cjs)', () => {
  it('accepts imports that go down the layers, from a feature to the core, and from an entry point to a feature', async () => {
    const root = tree({
      'src/errors.ts': 'export const base = 1;\n',
      'src/report/report.ts': "import { base } from '../errors.js';\nexport const report = base;\n",
      'src/render/blocks.ts': "import { report } from '../report/report.js';\nexport const blocks = report;\n",
      'src/features/acl/feature.ts': "import { blocks } from '../../render/blocks.js';\nexport const acl = blocks;\n",
      'commands/acl.ts': "import { acl } from '../src/features/acl/feature.js';\nexport const command = acl;\n",
      'src/app/root.ts': "import { command } from '../../commands/acl.js';\nexport const root = command;\n",
    });
    expect(await violations(root)).toEqual([]);
  });

  it('fails on a cycle, an upward import, a feature importing another, and an import of src/app/', async () => {
    const root = tree({
      'src/probes/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/probes/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'src/report/report.ts': "import { blocks } from '../render/blocks.js';\nexport const report = blocks;\n",
      'src/render/blocks.ts': 'export const blocks = 1;\n',
      'src/features/acl/feature.ts': "import { offboarding } from '../offboarding/feature.js';\nexport const acl = offboarding;\n",
      'src/features/offboarding/feature.ts': 'export const offboarding = 1;\n',
      'jobs/digest.ts': "import { root } from '../src/app/root.js';\nexport const job = root;\n",
      'src/app/root.ts': 'export const root = 1;\n',
    });
    expect(await violations(root)).toEqual([
      'no-circular: src/probes/a.ts -> src/probes/b.ts',
      'no-cross-feature: src/features/acl/feature.ts -> src/features/offboarding/feature.ts',
      'no-upward-from-entry: jobs/digest.ts -> src/app/root.ts',
      'no-upward-from-report: src/report/report.ts -> src/render/blocks.ts',
      'nothing-imports-app: jobs/digest.ts -> src/app/root.ts',
    ]);
  });
});
