// Downloads into the library, live: images.downloads once, then every images.downloadProgress event
// (which carries the whole job). A job an event already told about is never overwritten by the
// slower list.
import { useEffect, useMemo, useState } from 'react'
import type { DownloadJob, PullRequest } from '../../../src-shared/images/download-schemas.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'
import { notifyFailure } from '../common/notify-failure.ts'

export interface Downloads {
  /** Newest first; undefined until the first answer. */
  jobs: DownloadJob[] | undefined
  error: { message: string; hint?: string } | undefined
}

export function useDownloads(): Downloads {
  const [jobs, setJobs] = useState<ReadonlyMap<string, DownloadJob>>()
  const [error, setError] = useState<{ message: string; hint?: string }>()

  useEffect(() => {
    let active = true
    const unsubscribe = bridge.subscribe('images.downloadProgress', (job) =>
      setJobs((current) => new Map(current).set(job.id, job)),
    )
    call('images.downloads', {}).then(
      (list) => {
        if (!active) return
        setJobs((current) => {
          const next = new Map(current)
          for (const job of list) if (!next.has(job.id)) next.set(job.id, job)
          return next
        })
      },
      (failure: unknown) => active && setError(errorText(failure)),
    )
    return () => {
      active = false
      unsubscribe()
    }
  }, [])

  const sorted = useMemo(
    () => jobs && [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    [jobs],
  )
  return { jobs: sorted, error }
}

/** Starts (or resumes, or joins) a download; a refusal is shown to the user and gives undefined. */
export async function pullImage(request: PullRequest): Promise<DownloadJob | undefined> {
  try {
    return await call('images.pull', request)
  } catch (error) {
    notifyFailure(error)
    return undefined
  }
}

/**
 * Pulls a job's URL again, which continues from the bytes already downloaded. The job does not
 * carry the request's OS, version and architecture, so only what it does carry is repeated.
 */
export function resumeDownload(job: DownloadJob): Promise<DownloadJob | undefined> {
  const checksum = job.checksum
  return pullImage({
    url: job.url,
    name: job.name,
    ...(checksum?.source === 'given' && checksum.sha256 ? { sha256: checksum.sha256 } : {}),
    ...(checksum?.source === 'checksum-file' && checksum.url ? { checksumUrl: checksum.url } : {}),
  })
}
