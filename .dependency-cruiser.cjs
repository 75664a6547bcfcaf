// @ts-check
/**
 * The import boundaries of clawops (`npm run lint` runs this; CI fails on any violation):
 *  - no cycles;
 *  - core folders import only downward, in the order below (probe → report → diagnose → render → post);
 *  - feature slices (src/features/<name>/) import the core, never each other, never an entry point;
 *  - commands/ and jobs/ (the thin entry points) import the core and the features;
 *  - nothing imports src/app/ (the entry points and the one composition root).
 * An upward import that has to stay goes in ALLOWED_UPWARD with the reason beside it.
 */

/** Bottom to top: a folder may import the folders before it (and itself), never one after it. */
const LAYERS = [
  ['base', '^src/[^/]+\\.ts$'], // errors, log, bounded-json, suggest, version: no clawops imports
  ['config', '^src/config/'],
  ['health', '^src/health/'],
  ['report', '^src/report/'],
  ['openclaw', '^src/openclaw/'],
  ['tailscale', '^src/tailscale/'], // the LocalAPI and admin-API clients only
  ['policy', '^src/policy/'],
  ['probes', '^src/probes/'],
  ['diagnosis', '^src/diagnosis/'],
  ['queue', '^src/queue/'],
  ['check', '^src/check/'],
  ['host', '^src/host/'],
  ['state', '^src/state/'],
  ['render', '^src/render/'],
  ['slack', '^src/slack/'],
  ['features', '^src/features/'],
  ['entry', '^(commands|jobs)/'],
  ['app', '^src/app/'],
];

/** Upward imports that stay, each with why (at most 3; today none). Entries: { from: 'path', to: 'path' }. */
const ALLOWED_UPWARD = [];

const upward = LAYERS.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} imports only the layers below it (see LAYERS in .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path, pathNot: ALLOWED_UPWARD.map((allowed) => `^${allowed.from}$`) },
  to: {
    path: LAYERS.slice(index + 1)
      .map(([, higher]) => higher)
      .join('|'),
  },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'import cycles make the layers meaningless and the load order fragile',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'no-cross-feature',
      comment: 'a feature slice uses the core, not another feature (compose them in src/app/composition-root.ts)',
      severity: 'error',
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/', pathNot: '^src/features/$1/' },
    },
    {
      name: 'nothing-imports-app',
      comment: 'src/app/ holds the entry points and the composition root: nothing in the product imports them',
      severity: 'error',
      from: { path: '^(src|commands|jobs)/', pathNot: '^src/app/' },
      to: { path: '^src/app/' },
    },
    { name: 'not-to-unresolvable', comment: 'an import that does not resolve', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
