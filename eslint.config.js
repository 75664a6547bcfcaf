// @ts-check
// typescript-eslint, type-aware and strict (strictTypeChecked), beside Prettier for layout: the rules that
// need the type checker (floating promises, unsafe `any`, unnecessary assertions) are the ones worth having
// here. A rule is turned off only with a one-line reason; everything else is an error (zero warnings).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers, booleans and an optional value are what the texts interpolate; an object (`[object Object]`) still fails.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowRegExp: true, allowNever: true },
      ],
      // `return handle(…)` / `return callback(…)` ends a branch of a void function in one statement (the /gateway switch, Node callbacks).
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // String() on a value a library types as string (Bolt bodies, DNS answers) is a deliberate run-time coercion of outside data.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // `void value` marks a compile-time-only check (post-job.ts) and discards a handler's result in one expression.
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      // With noUncheckedIndexedAccess, `!` after a checked index or a `.has()` is the idiom, not a shortcut.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `async` without `await` implements a Promise-returning interface and turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // Outside text (gateway, proxy, Tailscale, user) is re-checked at run time even where its type says it cannot be missing.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // zod 4's string formats (.uuid(), .url()) stay until the schemas move to z.uuid()/z.url() in one change with its own tests.
      '@typescript-eslint/no-deprecated': 'off',
      // `_name` is how a parameter or a destructured-away field says it is deliberately unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // A method passed as a value here is always one of our closures over a factory's state (no `this`).
      '@typescript-eslint/unbound-method': 'off',
      // AppError subclasses carry the cause in their message; `cause` is added where an error is re-thrown unchanged.
      'preserve-caught-error': 'off',
      // `import { z } from 'zod'` hands esbuild one namespace object it cannot tree-shake: the bundle then loads all of
      // zod's classic API and its 64 locales (755 kB) on every `clawops check` (README, "Where a check's time goes").
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'` (tree-shakable), or `import type { z }`.",
        },
      ],
    },
  },
  {
    files: [
      'src/host/nft-ruleset.ts',
      'src/tailscale/bounded-body.ts',
      'src/features/acl/tailnet-digest-section.ts',
      'src/features/monitoring/state/history.ts',
      'src/policy/policy-edit.ts',
      'src/host/systemd-unit.ts',
    ],
    rules: {
      // These read loosely typed outside data (nft JSON, fetch body chunks, Redis replies, JSON5, unit text) and narrow it by hand.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
    },
  },
  {
    files: ['src/render/terminal.ts'],
    // Stripping control characters from outside text before a terminal prints it is the point of this file.
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read raw JSON (Slack emulator payloads, Redis values, child-process output) and assert on its shape.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Hostile-input tests build control characters and odd spacing on purpose.
      'no-control-regex': 'off',
      'no-regex-spaces': 'off',
      // Fakes implement callback signatures (`void`-returning handlers, rejections with recorded payloads) as the real parts do.
      '@typescript-eslint/no-invalid-void-type': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      // `expect(x).toBeDefined()`-style chains and deliberate reads for their side effect.
      '@typescript-eslint/no-unused-expressions': 'off',
      // Tests interpolate SlackText to prove its toString, split emoji by code point and count steps with `minute++`.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
      'no-useless-assignment': 'off',
      // Fixtures are cast to the report types they stand for, and some casts narrow where inference alone would widen.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Test texts are written as the message they stand for (`${'<!here>'}`) and counters stay `let` beside their siblings.
      '@typescript-eslint/no-unnecessary-template-expression': 'off',
      'prefer-const': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
