// A profile's runs, newest first, kept current from the lifecycle.run snapshots so a new run or a
// state change shows in the history without asking the core again.
import { useCallback, useEffect, useState } from 'react'
import { stepStates, type Run, type RunSummary } from '../../../src-shared/lifecycle/run-schema.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface RunsState {
  runs: RunSummary[] | undefined
  failure: { message: string; hint?: string } | undefined
  reload(): void
}

export function summarize(run: Run): RunSummary {
  const stepCounts = Object.fromEntries(stepStates.map((state) => [state, 0])) as RunSummary['stepCounts']
  for (const step of run.steps) stepCounts[step.state] = (stepCounts[step.state] ?? 0) + 1
  const {
    id,
    operation,
    profileId,
    profileName,
    distribution,
    throughPhase,
    state,
    createdAt,
    finishedAt,
    message,
  } = run
  return {
    id,
    operation,
    profileId,
    profileName,
    distribution,
    throughPhase,
    state,
    createdAt,
    finishedAt,
    message,
    stepCounts,
  }
}

export function useRuns(profileId: string, profileName: string): RunsState {
  const [runs, setRuns] = useState<RunSummary[]>()
  const [failure, setFailure] = useState<RunsState['failure']>()
  const reload = useCallback(() => {
    // No profile yet (a page still loading it): nothing to ask for.
    if (!profileId) return
    call('lifecycle.runs', { profile: profileId }).then(
      (list) => {
        setRuns(list)
        setFailure(undefined)
      },
      (error: unknown) => setFailure(errorText(error)),
    )
  }, [profileId])
  useEffect(() => {
    reload()
    return bridge.subscribe('lifecycle.run', (run) => {
      if (run.profileId !== profileId && run.profileName !== profileName) return
      const summary = summarize(run)
      setRuns((current = []) =>
        current.some((candidate) => candidate.id === run.id)
          ? current.map((candidate) => (candidate.id === run.id ? summary : candidate))
          : [summary, ...current],
      )
    })
  }, [reload, profileId, profileName])
  return { runs, failure, reload }
}
