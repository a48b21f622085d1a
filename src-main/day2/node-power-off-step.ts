// The node.power-off step at the end of a destroy: the BMC powers the slot off, and the step is
// done only once the BMC reports it off — so "every node off" is what the board says, not what
// was asked for. A slot already off is done.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { pollUntil } from '../talos/talos-step-support.ts'
import { slotPoweredOff, type Day2Dependencies } from './day2-support.ts'

const verifyTimeoutMs = 60_000

export function nodePowerOffStep(
  deps: Pick<Day2Dependencies, 'boards' | 'bmc' | 'pollMs'>,
): StepExecutor<'node.power-off'> {
  const pollMs = deps.pollMs ?? 2000
  const off = (board: string, slot: number) => slotPoweredOff(deps, board, slot)
  return {
    async alreadyDone(context) {
      const { board, slot } = context.step.params
      return (await off(board, slot)) ? { message: `the BMC reports ${board} slot ${slot} off` } : null
    },
    async run(context) {
      const { board, slot } = context.step.params
      const { id } = await deps.boards.get(board)
      context.log(`Powering off ${board} slot ${slot} through the BMC`)
      await deps.bmc.power({ boardId: id, target: slot, action: 'off' })
      const verified = await pollUntil(context, pollMs, verifyTimeoutMs, async () =>
        (await off(board, slot)) ? true : null,
      )
      if (!verified) {
        throw new AppError(
          'bmc_error',
          `The BMC of ${board} took the power-off of slot ${slot} but still reports it on after ${verifyTimeoutMs / 1000} s.`,
          'Look at the board view; retry the step to power it off again.',
        )
      }
      return { message: `${context.step.node} is off: the BMC of ${board} reports slot ${slot} powered off` }
    },
  }
}
