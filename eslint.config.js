import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The directions imports may take between the folders of src/ (README, How it works): the page
 * (ui/, client/) never reaches into the worker or the engines; engines never into the worker or
 * the page; shared/ into nothing. dev/ (test and benchmark hooks) may import anything, and only a
 * guarded dynamic import() reaches it, so the production build leaves it out.
 * @param {string[]} files
 * @param {string[]} folders
 * @param {string} why
 * @returns {import('eslint').Linter.Config}
 */
function mayNotImport(files, folders, why) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: folders.map((folder) => ({
            regex: `(^|/)${folder}(/|$)`,
            message: `${why} (${folder}/ is off limits here: see eslint.config.js).`,
          })),
        },
      ],
    },
  };
}

/** The page's files: its entry, layout and the two folders that run on its thread. */
const PAGE = ['src/ui/**', 'src/client/**', 'src/App.tsx', 'src/main.tsx', 'src/mount.tsx'];

/**
 * dev/ is reached only by an import() that the production build drops: one guarded by
 * __DEV_HOOKS__ (vite.config.ts).
 */
const DEV_IMPORT_GUARD = {
  selector:
    'ImportExpression[source.value=/(^|\\/)dev\\//]:not(IfStatement[test.name="__DEV_HOOKS__"] ImportExpression):not(ConditionalExpression[test.name="__DEV_HOOKS__"] ImportExpression)',
  message: 'Load src/dev/ only under `if (__DEV_HOOKS__)` or `__DEV_HOOKS__ ? import(...) : ...`.',
};

/** A module-level `let` or `var`, exported or not. */
const MODULE_STATE = ['let', 'var'].flatMap((kind) =>
  ['Program', 'Program > ExportNamedDeclaration'].map((parent) => ({
    selector: `${parent} > VariableDeclaration[kind="${kind}"]`,
    message: `No module-level \`${kind}\` on the page: keep state in an object that owns it (the training session, a store, a component).`,
  })),
);

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-test',
      'node_modules',
      'public',
      'test-results',
      'playwright-report',
      'bench-results',
    ],
  },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.worker } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'interface'],
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
      'func-style': ['error', 'declaration', { allowArrowFunctions: true }],
      // No focused tests may land: they would silently skip the rest of the suite.
      'no-restricted-properties': [
        'error',
        { object: 'test', property: 'only', message: 'Do not commit focused tests.' },
        { object: 'it', property: 'only', message: 'Do not commit focused tests.' },
        { object: 'describe', property: 'only', message: 'Do not commit focused tests.' },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/dev/**'],
    rules: { 'no-restricted-syntax': ['error', DEV_IMPORT_GUARD] },
  },
  {
    // The page's state has owners (the training session, the stores, components), never a module:
    // module-level state survives hot reloads and tests, and hides who owns what.
    files: PAGE,
    ignores: ['src/**/*.test.{ts,tsx}'],
    rules: { 'no-restricted-syntax': ['error', DEV_IMPORT_GUARD, ...MODULE_STATE] },
  },
  mayNotImport(
    PAGE,
    ['worker', 'engines', 'dev'],
    'The page talks to the worker only through messages (shared/protocol.ts)',
  ),
  mayNotImport(
    ['src/engines/**'],
    ['worker', 'client', 'ui', 'dev'],
    'An engine knows the model, the data and its device, nothing of who drives it',
  ),
  mayNotImport(
    ['src/worker/**'],
    ['client', 'ui', 'dev'],
    'The worker knows the page only through messages (shared/protocol.ts)',
  ),
  mayNotImport(
    ['src/shared/**'],
    ['worker', 'engines', 'client', 'ui', 'dev'],
    'shared/ is what both threads import, so it imports neither',
  ),
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    // Browser globals too: the bench passes functions to page.evaluate, which run in the page.
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.node, ...globals.browser } },
  },
);
