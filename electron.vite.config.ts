// Builds the three Electron bundles. Main and preload come from src-main/electron; everything the
// main bundle imports from src-main and src-shared is bundled in, runtime dependencies (native
// modules among them) stay external. The sandboxed preload must be CommonJS.
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { promisify } from 'node:util'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

const root = import.meta.dirname
const r = (path: string) => resolve(root, path)

/**
 * Writes NAME.br and NAME.gz next to each text file of the renderer build, compressed once at the
 * highest levels, for the browser host to send to browsers that accept them (static-files.ts).
 * Electron reads the plain files from disk and ignores these.
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress)
  const gz = promisify(gzip)
  return {
    name: 'clusterdeck-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? r('out/renderer')
      const texts = Object.keys(bundle).filter((name) => /\.(js|css|html|svg|json)$/.test(name))
      await Promise.all(
        texts.map(async (name) => {
          const path = join(dir, name)
          const data = await readFile(path)
          await writeFile(
            `${path}.br`,
            await brotli(data, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
              },
            }),
          )
          await writeFile(`${path}.gz`, await gz(data, { level: 9 }))
        }),
      )
    },
  }
}

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
    plugins: [react(), precompress()],
    build: {
      outDir: r('out/renderer'),
      // Minified, and each page a chunk of its own (React.lazy in app.tsx): the browser host serves
      // these files compressed (src-main/transport/static-files.ts); see docs/benchmarks.md.
      minify: true,
      reportCompressedSize: false,
      rollupOptions: { input: { index: r('src-renderer/index.html') } },
    },
  },
})
