// bmcd's single, global transfer slot, shared by node flashes and firmware upgrades and by every
// client. Starting a transfer silently pre-empts the running one; the last outcome stays visible
// until the next transfer; cancel always ends in `{"Error":"cancelled by user"}`.
import { randomInt } from 'node:crypto'
import type {
  FlashFault,
  TransferPacing,
  TransferPhase,
  TransferRequest,
  TransferResult,
} from './flash-worker.ts'
import { Transfer } from './flash-worker.ts'

/** The bare JSON `get flash` / `get firmware` answers with (serde's externally tagged enum). */
export type FlashStatusJson =
  | 'Ready'
  | {
      Transferring: {
        id: number
        process_name: string
        size: number
        cancelled: boolean
        bytes_written: number
      }
    }
  | { Done: [{ secs: number; nanos: number }, number] }
  | { Error: string }

type SlotState =
  | { kind: 'Ready' }
  | { kind: 'Transferring'; transfer: Transfer }
  | { kind: 'Done'; elapsedMs: number; size: number }
  | { kind: 'Error'; message: string }

export const cancelledByUser = 'cancelled by user'

export class TransferSlot {
  #state: SlotState = { kind: 'Ready' }
  readonly #pacing: TransferPacing

  constructor(pacing: TransferPacing) {
    this.#pacing = pacing
  }

  get pacing(): TransferPacing {
    return this.#pacing
  }

  get current(): Transfer | undefined {
    return this.#state.kind === 'Transferring' ? this.#state.transfer : undefined
  }

  status(): FlashStatusJson {
    const state = this.#state
    switch (state.kind) {
      case 'Ready':
        return 'Ready'
      case 'Transferring': {
        const { request, bytesWritten } = state.transfer
        return {
          Transferring: {
            id: request.id,
            process_name: request.processName,
            size: request.size,
            cancelled: false,
            bytes_written: bytesWritten,
          },
        }
      }
      case 'Done': {
        const nanosTotal = Math.round(state.elapsedMs * 1_000_000)
        return { Done: [{ secs: Math.floor(nanosTotal / 1e9), nanos: nanosTotal % 1e9 }, state.size] }
      }
      case 'Error':
        return { Error: state.message }
    }
  }

  errorMessage(): string | undefined {
    return this.#state.kind === 'Error' ? this.#state.message : undefined
  }

  /** Starts a transfer, pre-empting any running one. `onFinish` runs after every outcome. */
  start(
    request: Omit<TransferRequest, 'id'>,
    fault: FlashFault | undefined,
    onFinish: (result: TransferResult) => void,
    onPhase?: (phase: TransferPhase) => void,
    pacing: TransferPacing = this.#pacing,
  ): Transfer {
    this.current?.abort('preempted')
    const transfer = new Transfer({ ...request, id: randomInt(0, 2 ** 32) }, pacing, onPhase)
    this.#state = { kind: 'Transferring', transfer }
    void transfer.run(fault).then((result) => {
      if (this.current === transfer && !transfer.aborted) {
        this.#state =
          result.outcome === 'done'
            ? { kind: 'Done', elapsedMs: result.elapsedMs, size: request.size }
            : {
                kind: 'Error',
                message: result.outcome === 'cancelled' ? cancelledByUser : (result.error ?? 'failed'),
              }
      }
      onFinish(result)
    })
    return transfer
  }

  /** The transfer an upload for `handle` may feed, or the (plain-text) reason it may not. */
  takeUpload(handle: number): Transfer | string {
    const transfer = this.current
    if (!transfer) {
      return `cannot execute command in current state. current=${this.#state.kind}, expected=Transferring`
    }
    if (transfer.request.id !== handle) return 'unauthorized request for handle'
    return transfer.takeUpload() ?? transfer
  }

  /** `GET /api/bmc/upload/{any}/cancel`: unconditional, whatever the state was. */
  cancelAll(): void {
    const transfer = this.current
    this.#state = { kind: 'Error', message: cancelledByUser }
    transfer?.abort()
  }

  /** bmcd restart: the state is in memory only. */
  reset(): void {
    const transfer = this.current
    this.#state = { kind: 'Ready' }
    transfer?.abort()
  }
}
