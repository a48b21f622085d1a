// Flash progress on stderr: one redrawn line on a terminal, plain lines (on every phase or
// message change, and every few seconds) when stderr is a file or a pipe.
import type { FlashJob } from '../../src-shared/flash/flash-schemas.ts'
import { formatBytes, formatDuration } from '../../src-shared/progress/progress.ts'

export function createFlashProgressPrinter(stderr: NodeJS.WritableStream & { isTTY?: boolean }) {
  let lastKey = ''
  let lastLineAt = 0
  let redrawing = false
  return {
    update(job: FlashJob): void {
      const line = describe(job)
      const key = `${job.phase}|${job.message}`
      if (stderr.isTTY) {
        if (key !== lastKey && redrawing) stderr.write('\n')
        stderr.write(`\r\x1b[K${line}`)
        redrawing = true
      } else if (key !== lastKey || Date.now() - lastLineAt > 5000) {
        stderr.write(`${line}\n`)
        lastLineAt = Date.now()
      }
      lastKey = key
    },
    finish(): void {
      if (redrawing) stderr.write('\n')
      redrawing = false
    },
  }
}

function describe(job: FlashJob): string {
  const parts = [`[node ${job.node}] ${job.phase}`]
  const p = job.progress
  if (
    p &&
    p.bytesDone > 0 &&
    (job.phase === 'preparing' || job.phase === 'writing' || job.phase === 'verifying')
  ) {
    if (p.bytesTotal) parts.push(`${Math.floor((100 * p.bytesDone) / p.bytesTotal)}%`)
    parts.push(`${formatBytes(p.bytesDone)}${p.bytesTotal ? ` of ${formatBytes(p.bytesTotal)}` : ''}`)
    if (p.bytesPerSecond > 0) parts.push(`${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`)
    if (p.etaSeconds !== null) parts.push(`ETA ${formatDuration(p.etaSeconds)}`)
  }
  if (job.message) parts.push(`— ${job.message}`)
  return parts.join('  ')
}
