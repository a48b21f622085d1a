// Unsaved edits are not thrown away without a word. A page with some says so through
// `useLeaveGuard`; the shell then asks before another page opens (a link, back or forward) and the
// browser asks before the window is closed or reloaded.
import { createContext, useContext, useEffect } from 'react'

export interface UnsavedChanges {
  /** What holds the edits, for the question: `the profile "lab"`. */
  what: string
}

export type RegisterUnsaved = (changes: UnsavedChanges | null) => void

export const LeaveGuardContext = createContext<RegisterUnsaved>(() => {})

/** Marks the page as holding unsaved edits while `changes` is not null. */
export function useLeaveGuard(changes: UnsavedChanges | null): void {
  const register = useContext(LeaveGuardContext)
  const what = changes?.what
  useEffect(() => {
    register(what === undefined ? null : { what })
    return () => register(null)
  }, [register, what])
}
