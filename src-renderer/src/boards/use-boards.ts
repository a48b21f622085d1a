import { useCallback, useEffect, useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface BoardsState {
  boards: Board[] | undefined
  error: { message: string; hint?: string } | undefined
  reload(): void
}

/** The saved boards, kept current by the core's boards.changed events. */
export function useBoards(): BoardsState {
  const [boards, setBoards] = useState<Board[]>()
  const [error, setError] = useState<BoardsState['error']>()
  const reload = useCallback(() => {
    call('boards.list', {}).then(
      (list) => {
        setBoards(list)
        setError(undefined)
      },
      (failure: unknown) => setError(errorText(failure)),
    )
  }, [])
  useEffect(() => {
    reload()
    return bridge.subscribe('boards.changed', ({ boards: list }) => setBoards(list))
  }, [reload])
  return { boards, error, reload }
}
