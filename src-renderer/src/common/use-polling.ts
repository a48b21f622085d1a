// Repeats a request while the page is visible, never two at a time: the next round is scheduled
// only when the previous one settled, and a hidden tab stops asking (BMCs are small machines).
// `poke()` runs a round now, e.g. right after the user changed something.
import { useCallback, useEffect, useRef } from 'react'

export function usePolling(task: () => Promise<void>, intervalMs: number, enabled = true): () => void {
  const taskRef = useRef(task)
  const pokeRef = useRef<() => void>(() => undefined)
  useEffect(() => {
    taskRef.current = task
  })

  useEffect(() => {
    if (!enabled) return
    let stopped = false
    let running = false
    let again = false
    let timer: ReturnType<typeof setTimeout> | undefined

    async function round() {
      clearTimeout(timer)
      timer = undefined
      if (stopped || document.hidden) return
      if (running) {
        again = true
        return
      }
      running = true
      try {
        await taskRef.current()
      } catch {
        // The task shows its own failures; polling goes on so the view recovers by itself.
      } finally {
        running = false
      }
      if (stopped || document.hidden) return
      if (again) {
        again = false
        void round()
      } else {
        timer = setTimeout(() => void round(), intervalMs)
      }
    }
    const onVisibility = () => {
      if (!document.hidden && !running && timer === undefined) void round()
    }
    pokeRef.current = () => void round()
    document.addEventListener('visibilitychange', onVisibility)
    void round()
    return () => {
      stopped = true
      clearTimeout(timer)
      pokeRef.current = () => undefined
      document.removeEventListener('visibilitychange', onVisibility)
    }
  }, [intervalMs, enabled])

  return useCallback(() => pokeRef.current(), [])
}
