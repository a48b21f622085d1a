// Runs one flash through runFlash and collects what a caller sees: the result or the failure,
// and the phases and messages reported on the way.
import type { BmcClient } from '../../src-main/bmc/bmc-client.ts'
import {
  FlashFailure,
  runFlash,
  type FlashRunResult,
  type PreparedImage,
} from '../../src-main/flash/flash-run.ts'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import type { FlashPhase } from '../../src-shared/flash/flash-schemas.ts'

export interface FlashRun {
  result: FlashRunResult | undefined
  error: FlashFailure | undefined
  phases: FlashPhase[]
  messages: string[]
  /** performance.now() when runFlash settled. */
  settledAt: number
}

export async function runFlashFor(
  client: BmcClient,
  image: PreparedImage,
  options: {
    node?: NodeNumber
    verify?: boolean
    powerOnAfter?: boolean
    signal?: AbortSignal
    pollIntervalMs?: number
    stallTimeoutMs?: number
    onPhase?: (phase: FlashPhase) => void
  } = {},
): Promise<FlashRun> {
  const run: FlashRun = { result: undefined, error: undefined, phases: [], messages: [], settledAt: 0 }
  try {
    run.result = await runFlash({
      client,
      node: options.node ?? 1,
      image,
      verify: options.verify ?? true,
      powerOnAfter: options.powerOnAfter ?? true,
      signal: options.signal ?? new AbortController().signal,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.stallTimeoutMs ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
      report: (update) => {
        if (run.phases.at(-1) !== update.phase) {
          run.phases.push(update.phase)
          options.onPhase?.(update.phase)
        }
        if (update.message) run.messages.push(update.message)
      },
    })
  } catch (error) {
    if (!(error instanceof FlashFailure)) throw error
    run.error = error
  }
  run.settledAt = performance.now()
  return run
}
