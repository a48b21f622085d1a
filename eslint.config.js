// Lint and the layering rules. Code is split by where it runs, and lower layers never import upper
// ones: src-shared is environment-free, src-renderer never reaches into src-main, and Electron's
// APIs appear only in src-main/electron.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import { builtinModules } from 'node:module'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)]

const noElectron = {
  name: 'electron',
  message: 'Electron APIs belong in src-main/electron only; pass what you need in from there.',
}

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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectron,
            ...nodeBuiltins.map((name) => ({ name, message: 'src-shared runs everywhere: no Node APIs.' })),
          ],
          patterns: [
            {
              group: ['**/src-main/**', '**/src-renderer/**'],
              message: 'src-shared may not import from the layers above it.',
            },
            {
              group: ['react', 'react-dom', '@mantine/*', 'ws', 'undici', 'better-sqlite3', '@napi-rs/*'],
              message: 'src-shared holds only environment-free code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectron,
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'The renderer is UI only: it reaches the core through the bridge.',
            })),
          ],
          patterns: [
            {
              group: ['**/src-main/**'],
              message: 'src-renderer never imports src-main: call the core through the contract bridge.',
            },
            {
              group: ['ws', 'undici', 'better-sqlite3', '@napi-rs/*'],
              message: 'The renderer is UI only: side effects live in src-main.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' },
            {
              group: ['**/electron/**', './electron/*', '../electron/*'],
              message: 'The core must not depend on the Electron shell.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src-renderer/**'], message: 'src-main never imports the renderer.' }] },
      ],
    },
  },
)
