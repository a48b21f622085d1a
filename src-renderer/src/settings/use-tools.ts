// The managed tools, live: tools.list once and after every finished install, with the running
// downloads' progress from tools.progress events.
import { useCallback, useEffect, useState } from 'react'
import type { ToolStatus, ToolsProgress } from '../../../src-shared/contract/tools.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface Tools {
  statuses: ToolStatus[] | undefined
  /** Running installs by tool name. */
  installing: ReadonlyMap<string, ToolsProgress>
  error: { message: string; hint?: string } | undefined
  reload(): void
}

export function useTools(): Tools {
  const [statuses, setStatuses] = useState<ToolStatus[]>()
  const [installing, setInstalling] = useState<ReadonlyMap<string, ToolsProgress>>(new Map())
  const [error, setError] = useState<{ message: string; hint?: string }>()

  const reload = useCallback(() => {
    call('tools.list', {}).then(
      (list) => {
        setStatuses(list)
        setError(undefined)
      },
      (failure: unknown) => setError(errorText(failure)),
    )
  }, [])

  useEffect(() => {
    reload()
    return bridge.subscribe('tools.progress', (progress) => {
      setInstalling((current) => {
        const next = new Map(current)
        if (progress.state === 'downloading') next.set(progress.tool, progress)
        else next.delete(progress.tool)
        return next
      })
      if (progress.state !== 'downloading') reload()
    })
  }, [reload])

  return { statuses, installing, error, reload }
}
