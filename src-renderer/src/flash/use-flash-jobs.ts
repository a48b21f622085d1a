// The latest flash of each node of a board, kept current by flash.progress events. Jobs the core
// already runs when the view opens (another window started them, or the view was reopened) come
// from flash.jobs, without overwriting anything an event has told meanwhile.
import { useEffect, useMemo, useState } from 'react'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import type { FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import { bridge, call } from '../bridge/bridge.ts'

export type JobsByNode = Partial<Record<NodeNumber, FlashJob>>

export function useFlashJobs(boardId: string): JobsByNode {
  const [jobs, setJobs] = useState<ReadonlyMap<string, FlashJob>>(new Map())

  useEffect(() => {
    let active = true
    const unsubscribe = bridge.subscribe('flash.progress', (job) => {
      if (job.boardId === boardId) setJobs((current) => new Map(current).set(job.id, job))
    })
    call('flash.jobs', {}).then(
      (list) => {
        if (!active) return
        setJobs((current) => {
          const next = new Map(current)
          for (const job of list) if (job.boardId === boardId && !next.has(job.id)) next.set(job.id, job)
          return next
        })
      },
      () => undefined, // The status poll reports an unreachable core; an empty list is the honest view.
    )
    return () => {
      active = false
      unsubscribe()
    }
  }, [boardId])

  return useMemo(() => {
    const latest: JobsByNode = {}
    for (const job of jobs.values()) {
      const current = latest[job.node]
      if (!current || job.queuedAt >= current.queuedAt) latest[job.node] = job
    }
    return latest
  }, [jobs])
}
