// The running flashes of a run, step by step, kept current by lifecycle.stepProgress events. A
// finished flash drops out: the step's own state says the rest.
import { useEffect, useState } from 'react'
import { finishedPhases } from '../../../src-shared/flash/flash-schemas.ts'
import type { FlashStepProgress } from '../../../src-shared/lifecycle/run-eta.ts'
import { bridge } from '../bridge/bridge.ts'

export type StepProgressMap = Readonly<Record<string, FlashStepProgress>>

export function useStepProgress(runId: string | undefined): StepProgressMap {
  const [flashes, setFlashes] = useState<StepProgressMap>({})
  useEffect(() => {
    setFlashes({})
    if (!runId) return
    return bridge.subscribe('lifecycle.stepProgress', (event) => {
      if (event.runId !== runId) return
      const { stepId, phase, progress, verify, imageSizeBytes } = event
      setFlashes((current) => {
        const next = { ...current }
        if (finishedPhases.includes(phase)) delete next[stepId]
        else next[stepId] = { phase, progress, verify, imageSizeBytes }
        return next
      })
    })
  }, [runId])
  return flashes
}
