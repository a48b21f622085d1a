// Builds the three Electron bundles. Main and preload come from src-main/electron; everything the
// main bundle imports from src-main and src-shared is bundled in, runtime dependencies (native
// modules among them) stay external. The sandboxed preload must be CommonJS.
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

const root = import.meta.dirname
const r = (path: string) => resolve(root, path)

export default defineConfig({
  main: {
    build: {
      outDir: r('out/main'),
      rollupOptions: {
        input: {
          index: r('src-main/electron/main.ts'),
          // Worker threads are entries of their own, found next to index.js at run time.
          'image-import-worker': r('src-main/images/image-import-worker.ts'),
          // The keychain calls run in a child process of their own (secrets/keyring-worker.ts).
          'keyring-worker': r('src-main/secrets/keyring-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: r('out/preload'),
      rollupOptions: {
        input: { index: r('src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: r('src-renderer'),
    plugins: [react()],
    build: {
      outDir: r('out/renderer'),
      rollupOptions: { input: { index: r('src-renderer/index.html') } },
    },
  },
})
