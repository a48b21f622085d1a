// Everything running in the core right now, wherever it was started: flashes (flash.progress) and
// deployment runs (lifecycle.run, with their flashes' progress from lifecycle.stepProgress). Work
// this page saw running and then end is announced once. A flash a run started belongs to the run:
// it is neither listed nor announced on its own.
import { useEffect, useReducer, useRef } from 'react'
import { finishedPhases, type FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import { estimateRunSecondsLeft, type FlashStepProgress } from '../../../src-shared/lifecycle/run-eta.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { describeProgress, formatDuration } from '../../../src-shared/progress/progress.ts'
import { bridge, call } from '../bridge/bridge.ts'
import { announce } from './announce.ts'

export type ActivityTarget =
  { page: 'board'; boardId: string } | { page: 'profile'; profileId: string; runId: string }

export interface ActivityItem {
  key: string
  label: string
  /** Phase, percent, rate and time left, as far as known. */
  detail: string
  percent: number | null
  startedAt: string
  target: ActivityTarget
}

interface Tracked {
  jobs: Map<string, FlashJob>
  runs: Map<string, Run>
  progress: Map<string, Record<string, FlashStepProgress>>
  /** Flash jobs started by a run's steps. */
  owned: Set<string>
}

export function useActivity(now: number): ActivityItem[] {
  const tracked = useRef<Tracked>({ jobs: new Map(), runs: new Map(), progress: new Map(), owned: new Set() })
  const [, changed] = useReducer((version: number) => version + 1, 0)

  useEffect(() => {
    const state = tracked.current
    let active = true
    const stops = [
      bridge.subscribe('flash.progress', (job) => {
        const before = state.jobs.get(job.id)
        if (finishedPhases.includes(job.phase)) {
          state.jobs.delete(job.id)
          if (before && !state.owned.has(job.id)) announce(flashEnded(job))
          state.owned.delete(job.id)
        } else {
          state.jobs.set(job.id, job)
        }
        changed()
      }),
      bridge.subscribe('lifecycle.run', (run) => {
        const before = state.runs.get(run.id)
        if (run.state === 'running') {
          state.runs.set(run.id, run)
        } else {
          state.runs.delete(run.id)
          state.progress.delete(run.id)
          if (before) announce(runEnded(run))
        }
        changed()
      }),
      bridge.subscribe('lifecycle.stepProgress', (event) => {
        state.owned.add(event.flashJobId)
        state.jobs.delete(event.flashJobId)
        const steps = { ...state.progress.get(event.runId) }
        if (finishedPhases.includes(event.phase)) delete steps[event.stepId]
        else steps[event.stepId] = event
        state.progress.set(event.runId, steps)
        changed()
      }),
    ]
    // What was already running before this page opened; events that came first are newer.
    void call('flash.jobs', {}).then(
      (jobs) => {
        if (!active) return
        for (const job of jobs) {
          if (!finishedPhases.includes(job.phase) && !state.jobs.has(job.id) && !state.owned.has(job.id))
            state.jobs.set(job.id, job)
        }
        changed()
      },
      () => undefined,
    )
    void call('lifecycle.runs', {}).then(
      async (summaries) => {
        for (const summary of summaries.filter((candidate) => candidate.state === 'running')) {
          const run = await call('lifecycle.run', { runId: summary.id })
          if (!active) return
          if (run.state === 'running' && !state.runs.has(run.id)) state.runs.set(run.id, run)
        }
        changed()
      },
      () => undefined,
    )
    return () => {
      active = false
      for (const stop of stops) stop()
    }
  }, [])

  const { jobs, runs, progress } = tracked.current
  const items = [
    ...[...jobs.values()].map(flashItem),
    ...[...runs.values()].map((run) => runItem(run, progress.get(run.id) ?? {}, now)),
  ]
  return items.sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}

function flashItem(job: FlashJob): ActivityItem {
  const words = job.progress && job.phase !== 'queued' ? describeProgress(job.progress) : undefined
  const detail = [
    job.phase === 'powering-on' ? 'powering on' : job.phase,
    words?.percent !== null && words?.percent !== undefined ? `${Math.floor(words.percent)}%` : undefined,
    words?.rate,
    words?.eta,
  ]
  return {
    key: `flash:${job.id}`,
    label: `Flashing node ${job.node} of ${job.boardName}`,
    detail: detail.filter(Boolean).join(' · '),
    percent: words?.percent ?? null,
    startedAt: job.startedAt ?? job.queuedAt,
    target: { page: 'board', boardId: job.boardId },
  }
}

function runItem(run: Run, flashes: Record<string, FlashStepProgress>, now: number): ActivityItem {
  const running = run.plan.steps.filter((step) =>
    run.steps.some((state) => state.stepId === step.id && state.state === 'running'),
  )
  const counted = run.steps.filter((step) => step.state !== 'not-run')
  const finished = counted.filter((step) => ['done', 'skipped'].includes(step.state)).length
  const left = estimateRunSecondsLeft(run, now, flashes)
  const flash = running.map((step) => flashes[step.id]).find((candidate) => candidate?.progress)
  const percent = flash?.progress ? describeProgress(flash.progress).percent : null
  const detail = [
    running[0] && `${running[0].title}${percent !== null ? ` ${Math.floor(percent)}%` : ''}`,
    `${finished} of ${counted.length} steps`,
    left !== null ? `about ${formatDuration(left)} left` : undefined,
  ]
  return {
    key: `run:${run.id}`,
    label: `Deploying ${run.profileName}`,
    detail: detail.filter(Boolean).join(' · '),
    percent: counted.length > 0 ? (finished / counted.length) * 100 : null,
    startedAt: run.createdAt,
    target: { page: 'profile', profileId: run.profileId ?? '', runId: run.id },
  }
}

function flashEnded(job: FlashJob) {
  const where = `${job.imageName} on node ${job.node} of ${job.boardName}`
  if (job.phase === 'done')
    return { title: 'Flash finished', message: `${where}${job.verified ? ', verified' : ''}.`, failed: false }
  return {
    title: job.phase === 'cancelled' ? 'Flash cancelled' : 'Flash failed',
    message: `${where}${job.message ? `: ${job.message}` : ''}`,
    failed: job.phase === 'failed',
  }
}

function runEnded(run: Run) {
  if (run.state === 'done')
    return { title: 'Deployment finished', message: `${run.profileName} is through its run.`, failed: false }
  return {
    title: `Deployment ${run.state}`,
    message: `${run.profileName}${run.message ? `: ${run.message}` : ''}`,
    failed: run.state === 'failed' || run.state === 'interrupted',
  }
}
