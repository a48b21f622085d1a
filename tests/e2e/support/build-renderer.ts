// Vitest globalSetup for the e2e project: the browser tests serve out/renderer and the Electron
// smoke test loads out/main and out/preload, so rebuild them when any source they come from is
// newer than the oldest output. When everything is current this costs a directory walk.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..', '..')
const sources = ['src-renderer', 'src-shared', 'src-main', 'electron.vite.config.ts']
const outputs = ['out/renderer/index.html', 'out/main/index.js', 'out/preload/index.cjs']

function mtimeOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

/** The newest modification time under path; test files are skipped since no bundle holds them. */
function newestSource(path: string): number {
  const info = statSync(path)
  if (!info.isDirectory()) return path.endsWith('.test.ts') ? 0 : info.mtimeMs
  let newest = info.mtimeMs // a deleted file only shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, entry)))
  return newest
}

export function isBuildCurrent(): boolean {
  const builtAt = Math.min(...outputs.map((output) => mtimeOrZero(join(root, output))))
  const changedAt = Math.max(...sources.map((source) => newestSource(join(root, source))))
  return builtAt > changedAt
}

export default function buildRenderer(): void {
  if (isBuildCurrent()) return
  console.log('e2e: sources changed since the last build, running electron-vite build')
  execFileSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}
