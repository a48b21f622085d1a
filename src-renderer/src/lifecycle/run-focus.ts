// "Show me that run": the navigation's activity list asks, the profile view answers by opening its
// Runs tab on that run — at once when it is already showing the profile, or when it next mounts.
type Listener = (profileId: string, runId: string) => void

const listeners = new Set<Listener>()
let pending: { profileId: string; runId: string } | undefined

export function focusRun(profileId: string, runId: string): void {
  pending = { profileId, runId }
  for (const listener of listeners) listener(profileId, runId)
}

/** The run asked for this profile and not yet shown (taken once), for a view that mounts. */
export function takeRunFocus(profileId: string): string | undefined {
  if (pending?.profileId !== profileId) return undefined
  const { runId } = pending
  pending = undefined
  return runId
}

export function onRunFocus(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
