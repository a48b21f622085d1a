// "Show me that run": the navigation's activity list asks, the profile view answers by opening its
// Runs tab on that run — at once when it is already showing the profile, or when it next mounts.
type Listener = (profileId: string, runId: string) => void

const listeners = new Set<Listener>()
let pending: { profileId: string; runId: string } | undefined

export function focusRun(profileId: string, runId: string): void {
  pending = { profileId, runId }
  for (const listener of listeners) listener(profileId, runId)
}

/**
 * The run asked for this profile and not yet shown, for a view that mounts. Read-only: a render may
 * be thrown away (a lazily loaded page suspends), so the view clears it once mounted.
 */
export function pendingRunFocus(profileId: string): string | undefined {
  return pending?.profileId === profileId ? pending.runId : undefined
}

/** The run asked for this profile has been shown. */
export function clearRunFocus(profileId: string): void {
  if (pending?.profileId === profileId) pending = undefined
}

export function onRunFocus(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
