// Lint and the layering rules. Code is split by where it runs, and each layer imports only what
// its allow-list names (eslint-rules/layer-imports.js): src-shared is environment-free,
// src-renderer never reaches into src-main, Electron's APIs appear only in src-main/electron, and
// the core's domains never import the CLI, the transports or the shell.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import layerRules from './eslint-rules/layer-imports.js'

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'release', '.tools', '.cache'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-shared/**'],
    languageOptions: { globals: {} },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The layering as allow-lists (eslint-rules/layer-imports.js): each layer names what it may import.
    files: ['src-shared/**', 'src-renderer/**', 'src-main/**'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    plugins: { clusterdeck: layerRules },
    rules: { 'clusterdeck/layer-imports': 'error' },
  },
)
