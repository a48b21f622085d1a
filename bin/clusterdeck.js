#!/usr/bin/env node
// The `clusterdeck` command. It runs the prebuilt bundle in out/cli/ (cli.rolldown.config.mjs) while
// that is newer than every source file, else the TypeScript sources with Node's built-in type
// stripping (Node >= 22.18), so an edit takes effect without a build step. On an older Node it runs
// itself again with the Node 24 that `npm start`/`npm test` installed into .tools/.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import module from 'node:module'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  const toolsNode = findToolsNode()
  if (!toolsNode) {
    console.error(
      `clusterdeck: Node ${process.versions.node} is too old; Node 22.19 or newer is needed (Node 24 recommended). Run npm start once in the repository to install Node 24 into .tools/, or install it yourself.`,
    )
    process.exit(1)
  }
  const child = spawn(toolsNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  // Ctrl-C reaches both processes; this one waits for the real CLI to finish its own handling.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, () => child.kill(signal))
  }
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)))
} else {
  // Compiled code is cached between runs (in the OS temporary folder).
  module.enableCompileCache?.()
  const bundle = new URL('../out/cli/clusterdeck.js', import.meta.url)
  const { main } = await import(bundleIsFresh(bundle) ? bundle.href : '../src-main/cli/main.ts')
  process.exitCode = await main(process.argv.slice(2))
}

/**
 * Whether the bundle was built after the last change to any source it contains (its own files and
 * the installed dependencies it bundles).
 * @param {URL} bundle
 * @returns {boolean}
 */
function bundleIsFresh(bundle) {
  let built
  try {
    built = statSync(bundle).mtimeMs
  } catch {
    return false
  }
  /** @type {(dir: string) => boolean} */
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) return newer(path)
      return entry.name.endsWith('.ts') && statSync(path).mtimeMs > built
    })
  const installed = new URL('../node_modules/.package-lock.json', import.meta.url)
  if (existsSync(installed) && statSync(installed).mtimeMs > built) return false
  return !['../src-main', '../src-shared'].some((dir) => newer(fileURLToPath(new URL(dir, import.meta.url))))
}

/** The Node 24 in .tools/, laid out as ensure-node.sh installs it. */
function findToolsNode() {
  const tools = fileURLToPath(new URL('../.tools/', import.meta.url))
  if (!existsSync(tools)) return undefined
  for (const version of readdirSync(tools)
    .filter((name) => name.startsWith('node-'))
    .sort()
    .reverse()) {
    const packages = `${tools}${version}/node_modules`
    if (!existsSync(packages)) continue
    for (const pkg of readdirSync(packages).filter((name) => name.startsWith('node-'))) {
      const binary = `${packages}/${pkg}/bin/node`
      if (existsSync(binary)) return binary
    }
  }
  return undefined
}
