// The CLI as one prebuilt bundle (out/cli/), so `clusterdeck` starts without type-stripping and
// resolving hundreds of modules on every command (docs/benchmarks.md, CLI start-up). Built with
// the app (npm start, npm test, npm run build); bin/clusterdeck.js runs it while it is newer than
// the sources, else the sources themselves. Native modules stay external; the domains the core
// loads on demand (core/lazy-core.ts) and the worker entries become chunks of their own.
import { resolve } from 'node:path'
import { defineConfig } from 'rolldown'

const root = import.meta.dirname

export default defineConfig({
  input: {
    clusterdeck: resolve(root, 'src-main/cli/main.ts'),
    // Found next to the bundle at run time (secrets/keyring-secret-store.ts, images/image-cache.ts).
    'keyring-worker': resolve(root, 'src-main/secrets/keyring-worker.ts'),
    'image-import-worker': resolve(root, 'src-main/images/image-import-worker.ts'),
  },
  platform: 'node',
  // ssh2 loads its optional native crypto by relative path; just-bash loads WebAssembly beside it.
  external: [/^node:/, /^better-sqlite3$/, /^@napi-rs\//, /^ssh2$/, /^just-bash(\/|$)/],
  output: {
    // Two levels below the repository, like the sources, so paths relative to a module hold.
    dir: resolve(root, 'out/cli'),
    format: 'esm',
    entryFileNames: '[name].js',
    minify: true,
  },
})
