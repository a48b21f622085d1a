// One run, live: loaded once, then replaced by every lifecycle.run snapshot the core sends for it.
import { useEffect, useState } from 'react'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface RunState {
  run: Run | undefined
  failure: { message: string; hint?: string } | undefined
}

export function useRun(runId: string | undefined): RunState {
  const [state, setState] = useState<RunState>({ run: undefined, failure: undefined })
  useEffect(() => {
    setState({ run: undefined, failure: undefined })
    if (!runId) return
    let active = true
    // Subscribe first so no change falls between the load and the subscription; a snapshot that
    // arrived before the load answered is newer than it.
    let live = false
    const unsubscribe = bridge.subscribe('lifecycle.run', (run) => {
      if (run.id !== runId) return
      live = true
      setState({ run, failure: undefined })
    })
    call('lifecycle.run', { runId }).then(
      (run) => active && !live && setState({ run, failure: undefined }),
      (error: unknown) => active && !live && setState({ run: undefined, failure: errorText(error) }),
    )
    return () => {
      active = false
      unsubscribe()
    }
  }, [runId])
  return state
}

/** The current time, ticking while `ticking` (a running bar grows with it). */
export function useNow(ticking: boolean, intervalMs = 500): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    setNow(Date.now())
    if (!ticking) return
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [ticking, intervalMs])
  return now
}
