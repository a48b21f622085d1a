// Node imaging, part one: power the node off, flash the prepared image through the flash pipeline
// (which powers it on when done), and remember where its serial console stood, so the boot wait
// looks only at what the new system prints. Already in place when the flash history holds a
// verified flash of the same image to the same slot since the run began.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { stepIds } from '../../../src-shared/lifecycle/step-ids.ts'
import { finishedPhases, type FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import { formatBytes, formatDuration } from '../../../src-shared/progress/progress.ts'
import type { BmcService } from '../../bmc/bmc-service.ts'
import type { BoardService } from '../../boards/board-service.ts'
import type { EventBus } from '../../core/event-bus.ts'
import type { FlashHistory } from '../../flash/flash-history.ts'
import type { FlashService } from '../../flash/flash-service.ts'
import type { StepContext, StepExecutor } from '../step-executor.ts'

/** Console offsets are kept in memory by this process; a resumed run in another one starts over. */
export const processToken = randomUUID()

export interface NodeFlashDependencies {
  boards: Pick<BoardService, 'get'>
  bmc: Pick<BmcService, 'power' | 'readUart'>
  flash: Pick<FlashService, 'start' | 'cancel'>
  history: Pick<FlashHistory, 'list'>
  events: EventBus
}

export function nodeFlashStep(deps: NodeFlashDependencies): StepExecutor<'node.flash'> {
  const target = async (context: StepContext<'node.flash'>) => {
    const { params } = context.step
    const board = await deps.boards.get(params.board)
    const imageStep = stepIds.imagePrepare(params.imageKey)
    const image = context.outputOf(imageStep) as { sha256: string; name: string } | undefined
    if (!image)
      throw new AppError('internal', `The image of ${context.step.node} was not prepared (${imageStep}).`)
    return { board, node: params.slot, image }
  }

  return {
    async alreadyDone(context) {
      const { board, node, image } = await target(context)
      const done = deps.history
        .list(board.id, node)
        .find(
          (r) =>
            r.outcome === 'done' &&
            r.verified &&
            r.imageSha256 === image.sha256 &&
            r.finishedAt >= context.runCreatedAt,
        )
      return done
        ? { message: `${image.name} was flashed and verified at ${done.finishedAt}`, output: {} }
        : null
    },

    async run(context) {
      const { board, node, image } = await target(context)
      context.log(`Powering off node ${node} of ${board.name}`)
      await deps.bmc.power({ boardId: board.id, target: node, action: 'off' })
      const { offset } = await deps.bmc.readUart({ boardId: board.id, node, since: Number.MAX_SAFE_INTEGER })

      const job = await deps.flash.start({
        boardId: board.id,
        node,
        image: { kind: 'cached', sha256: image.sha256 },
        verify: true,
        powerOnAfter: true,
      })
      // start() answers while the job is queued: its writing happens later, after this listener is on.
      const finished = new Promise<FlashJob>((resolve) => {
        let lastPhase = ''
        const stop = deps.events.on('flash.progress', (update) => {
          if (update.id !== job.id) return
          deps.events.emit('lifecycle.stepProgress', {
            runId: context.runId,
            stepId: context.step.id,
            flashJobId: update.id,
            phase: update.phase,
            progress: update.progress,
            verify: update.verify,
            imageSizeBytes: update.imageSizeBytes,
          })
          if (update.phase !== lastPhase) {
            lastPhase = update.phase
            context.log(`flash: ${update.phase}${update.message ? ` — ${update.message}` : ''}`)
          }
          if (finishedPhases.includes(update.phase)) {
            stop()
            resolve(update)
          }
        })
      })
      const cancel = () => void Promise.resolve().then(() => deps.flash.cancel(job.id))
      context.signal.addEventListener('abort', cancel, { once: true })
      const result = await finished.finally(() => context.signal.removeEventListener('abort', cancel))

      if (result.phase !== 'done') {
        throw new AppError(
          result.phase === 'cancelled' ? 'cancelled' : 'bmc_error',
          `Flashing ${context.step.node} (${board.name} slot ${node}) ${result.phase} during ${result.failedPhase}: ${result.message}`,
        )
      }
      const seconds = (Date.parse(result.finishedAt!) - Date.parse(result.startedAt!)) / 1000
      return {
        message: `Flashed ${image.name} (${formatBytes(result.imageSizeBytes ?? 0)})${result.verified ? ', verified' : ''} in ${formatDuration(seconds)}; node powered on`,
        output: { uartOffset: offset, processToken },
      }
    },
  }
}
