// Paces simulated eMMC writes. Each piece of data occupies the "device" for bytes/rate seconds
// after the previous one, so a stalled client does not earn a burst later, as a real device would not.
import { setTimeout as sleep } from 'node:timers/promises'

export class Throttle {
  readonly #bytesPerSecond: number
  #busyUntil = 0

  /** `bytesPerSecond` undefined or 0 means unlimited. */
  constructor(bytesPerSecond: number | undefined) {
    this.#bytesPerSecond = bytesPerSecond ?? 0
  }

  get limited(): boolean {
    return this.#bytesPerSecond > 0
  }

  async consume(bytes: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    if (!this.limited) return
    const now = performance.now()
    this.#busyUntil = Math.max(now, this.#busyUntil) + (bytes * 1000) / this.#bytesPerSecond
    const wait = this.#busyUntil - now
    if (wait >= 1) await sleep(wait, undefined, { signal })
  }
}
