// A step's log: what the core kept so far, then each line as the step writes it.
import { useEffect, useState } from 'react'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface StepLogState {
  lines: string[] | undefined
  failure: { message: string; hint?: string } | undefined
}

export function useStepLog(runId: string | undefined, stepId: string | undefined): StepLogState {
  const [state, setState] = useState<StepLogState>({ lines: undefined, failure: undefined })
  useEffect(() => {
    setState({ lines: undefined, failure: undefined })
    if (!runId || !stepId) return
    let active = true
    let loaded = false
    // Lines that arrive while the stored log loads are held back, then added unless the stored
    // log already ends with them.
    const early: string[] = []
    const unsubscribe = bridge.subscribe('lifecycle.log', (entry) => {
      if (entry.runId !== runId || entry.stepId !== stepId) return
      if (!loaded) early.push(entry.line)
      else setState((current) => ({ ...current, lines: [...(current.lines ?? []), entry.line] }))
    })
    call('lifecycle.stepLog', { runId, stepId }).then(
      ({ log }) => {
        if (!active) return
        loaded = true
        const stored = log === '' ? [] : log.replace(/\n$/, '').split('\n')
        setState({ lines: [...stored, ...early.slice(overlap(stored, early))], failure: undefined })
      },
      (error: unknown) => active && setState({ lines: undefined, failure: errorText(error) }),
    )
    return () => {
      active = false
      unsubscribe()
    }
  }, [runId, stepId])
  return state
}

/** How many of the first `early` lines the stored log already ends with. */
function overlap(stored: readonly string[], early: readonly string[]): number {
  for (let count = Math.min(stored.length, early.length); count > 0; count--) {
    const tail = stored.slice(stored.length - count)
    if (tail.every((line, i) => line === early[i])) return count
  }
  return 0
}
