// Shared pieces of the benchmarks: test images made once and kept in .cache/bench, child processes
// timed with their peak memory (GNU time), and medians over alternating runs.
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { imageBytes } from '../tests/support/make-image.ts'

export const benchDir = join(import.meta.dirname, '..', '.cache', 'bench')
mkdirSync(benchDir, { recursive: true })

/** A raw image of `mib` MiB (real-looking: pseudo-random blocks and zero blocks), written once. */
export async function rawImage(mib: number, prefix = 'raw'): Promise<string> {
  const path = join(benchDir, `${prefix}-${mib}MiB.img`)
  if (existsSync(path) && statSync(path).size === mib * 1024 * 1024) return path
  const out = createWriteStream(path)
  const block = 16
  for (let i = 0; i < mib / block; i++) {
    if (!out.write(imageBytes(block * 1024 * 1024, i + 1)))
      await new Promise((resolve) => out.once('drain', resolve))
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  )
  return path
}

export interface Timed {
  seconds: number
  maxRssMb: number
  stdout: string
  stderr: string
}

/** Runs a command under GNU time; rejects when it fails. */
export function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn('/usr/bin/time', ['-f', '__maxrss_kb=%M', command, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const rss = /__maxrss_kb=(\d+)/.exec(stderr)
      if (code !== 0)
        return reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))
      resolve({ seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN, stdout, stderr })
    })
  })
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function mbps(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`
}
