// bmcd's BanPatrol: counts consecutive authentication failures per peer address. From the
// `maxAttempts`-th failure on the peer is blocked for 1 min, doubling with every further failure up
// to 2^10 min. The count survives an expired block and is cleared only by a success (or a restart).
import type { VirtualBoardClock } from './clock.ts'

const banLevels = 10
const banDurationMs = 60_000

export class BanPatrol {
  readonly #penalties = new Map<string, { attempts: number; deadline: number }>()
  readonly #maxAttempts: number
  readonly #clock: VirtualBoardClock

  constructor(maxAttempts: number, clock: VirtualBoardClock) {
    if (maxAttempts < 1) throw new Error('BanPatrol needs at least one allowed authentication attempt')
    this.#maxAttempts = maxAttempts
    this.#clock = clock
  }

  /** Milliseconds the peer is still blocked for, or undefined when it may try. */
  blockedFor(peer: string): number | undefined {
    const penalty = this.#penalties.get(peer)
    if (!penalty) return undefined
    const remaining = penalty.deadline - this.#clock.now()
    return remaining > 0 ? remaining : undefined
  }

  /** Records a failure; returns the block it caused (ms), if any. */
  penalize(peer: string): number | undefined {
    const now = this.#clock.now()
    const penalty = this.#penalties.get(peer) ?? { attempts: 0, deadline: now }
    penalty.attempts++
    this.#penalties.set(peer, penalty)
    if (penalty.attempts < this.#maxAttempts) return undefined
    const multiplier = 2 ** Math.min(penalty.attempts - this.#maxAttempts, banLevels)
    penalty.deadline = now + banDurationMs * multiplier
    return this.blockedFor(peer)
  }

  /** Every peer with failures on record: its consecutive failures and whether it is blocked now. */
  peers(): Array<{ peer: string; failures: number; blocked: boolean }> {
    return [...this.#penalties].map(([peer, penalty]) => ({
      peer,
      failures: penalty.attempts,
      blocked: this.blockedFor(peer) !== undefined,
    }))
  }

  clear(peer: string): void {
    this.#penalties.delete(peer)
  }

  clearAll(): void {
    this.#penalties.clear()
  }
}
