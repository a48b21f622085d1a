// What a user does to a run, with the confirmation the destructive ones need.
import type { PhaseId } from '../../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { call } from '../bridge/bridge.ts'
import type { Confirmation } from '../common/use-confirmation.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { downloadText } from '../profiles/download-text.ts'

export function cancelRunConfirmation(run: Run): Confirmation {
  const running = run.plan.steps.filter((step) =>
    run.steps.some((state) => state.stepId === step.id && state.state === 'running'),
  )
  return {
    title: 'Cancel the run?',
    body: `The steps running now stop${running.length > 0 ? ` (${running.map((step) => step.title).join('; ')})` : ''}. A node being flashed is left powered off with a partly written eMMC. Resume the run later to finish it.`,
    confirmLabel: 'Stop the run',
    keepLabel: 'Keep running',
    color: 'red',
    async action() {
      await runAction(() => call('lifecycle.cancel', { runId: run.id }))
    },
  }
}

/** Runs a request whose answer comes back as lifecycle.run events too; only a failure needs saying. */
export async function runAction(request: () => Promise<unknown>): Promise<void> {
  try {
    await request()
  } catch (error) {
    notifyFailure(error)
  }
}

export async function exportReport(run: Run, format: 'markdown' | 'html'): Promise<void> {
  try {
    const { fileName, content } = await call('lifecycle.report', { runId: run.id, format })
    downloadText(fileName, content, format === 'html' ? 'text/html' : 'text/markdown')
  } catch (error) {
    notifyFailure(error)
  }
}

/** The phases a run can be deployed through, as choices: everything this version can run. */
export function throughPhaseChoices(runnable: readonly PhaseId[], titles: Record<PhaseId, string>) {
  return runnable.map((phase) => ({ value: phase, label: `Through ${titles[phase].toLowerCase()}` }))
}
