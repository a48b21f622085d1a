// Progress of long work (imports, downloads, flashes) as every client shows it: bytes, speed and
// the time left. The speed is smoothed so the estimate does not jump with every sample.
import { z } from 'zod'

export const byteProgressSchema = z.object({
  bytesDone: z.number(),
  /** Null while the total is unknown, e.g. the raw size of a gzip image. */
  bytesTotal: z.number().nullable(),
  bytesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
})
export type ByteProgress = z.infer<typeof byteProgressSchema>

/** Exponentially smoothed throughput: feed it (time, bytes done) samples, read progress back. */
export function createSpeedMeter(smoothing = 0.3) {
  let last: { at: number; bytes: number } | undefined
  let speed = 0
  return {
    sample(atMs: number, bytesDone: number, bytesTotal: number | null): ByteProgress {
      if (last && bytesDone < last.bytes) {
        // A counter that restarts (the BMC's verify pass) starts a new measurement.
        last = undefined
        speed = 0
      }
      if (last && atMs > last.at) {
        const instant = ((bytesDone - last.bytes) * 1000) / (atMs - last.at)
        speed = speed === 0 ? instant : speed + smoothing * (instant - speed)
      }
      if (!last || atMs > last.at) last = { at: atMs, bytes: bytesDone }
      const remaining = bytesTotal === null ? null : Math.max(0, bytesTotal - bytesDone)
      return {
        bytesDone,
        bytesTotal,
        bytesPerSecond: Math.max(0, speed),
        etaSeconds: remaining === null || speed <= 0 ? null : remaining / speed,
      }
    },
  }
}

/** "1.5 GiB", "640 KiB": sizes as people read them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}

/** "2 min 05 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

export interface ProgressWords {
  /** 0–100, or null when the total is unknown. */
  percent: number | null
  /** "1.00 GiB of 4.00 GiB", or just what is done when the total is unknown. */
  bytes: string
  /** "25.0 MiB/s", or null before the first measurement. */
  rate: string | null
  /** "2 min 05 s left", or null when it cannot be told yet. */
  eta: string | null
}

/** One progress as the app words it (the board view's slots, the deploy timeline, the navigation). */
export function describeProgress(progress: ByteProgress): ProgressWords {
  const { bytesDone, bytesTotal, bytesPerSecond, etaSeconds } = progress
  return {
    percent: bytesTotal ? Math.min(100, (bytesDone / bytesTotal) * 100) : null,
    bytes: `${formatBytes(bytesDone)}${bytesTotal ? ` of ${formatBytes(bytesTotal)}` : ''}`,
    rate: bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : null,
    eta: bytesPerSecond > 0 && etaSeconds !== null ? `${formatDuration(etaSeconds)} left` : null,
  }
}
