// Download progress on stderr: one redrawn line on a terminal, a plain line on every state change
// and every few seconds when stderr is a file or a pipe (CI logs, tests).
import type { DownloadJob } from '../../src-shared/images/download-schemas.ts'
import { formatBytes, formatDuration } from '../../src-shared/progress/progress.ts'

export function createDownloadProgressPrinter(stderr: NodeJS.WritableStream & { isTTY?: boolean }) {
  let lastState = ''
  let lastLineAt = 0
  let redrawing = false
  return {
    update(job: DownloadJob): void {
      const line = describeDownload(job)
      if (stderr.isTTY) {
        if (job.state !== lastState && redrawing) stderr.write('\n')
        stderr.write(`\r\x1b[K${line}`)
        redrawing = true
      } else if (job.state !== lastState || Date.now() - lastLineAt > 5000) {
        stderr.write(`${line}\n`)
        lastLineAt = Date.now()
      }
      lastState = job.state
    },
    finish(): void {
      if (redrawing) stderr.write('\n')
      redrawing = false
    },
  }
}

export function describeDownload(job: DownloadJob): string {
  const parts = [`${job.state} ${job.name}`]
  const p = job.progress
  if (job.state === 'downloading' || job.state === 'importing') {
    if (p.bytesTotal) parts.push(`${Math.floor((100 * p.bytesDone) / p.bytesTotal)}%`)
    parts.push(`${formatBytes(p.bytesDone)}${p.bytesTotal ? ` of ${formatBytes(p.bytesTotal)}` : ''}`)
    if (p.bytesPerSecond > 0) parts.push(`${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`)
    if (p.etaSeconds !== null) parts.push(`ETA ${formatDuration(p.etaSeconds)}`)
  }
  if (job.state === 'downloading' && job.resumedFromBytes > 0)
    parts.push(`(resumed at ${formatBytes(job.resumedFromBytes)})`)
  if (job.state === 'importing' && job.checksum) {
    parts.push(
      job.checksum.sha256 ? `verifying against the ${job.checksum.source} SHA-256` : 'no published checksum',
    )
  }
  return parts.join('  ')
}
