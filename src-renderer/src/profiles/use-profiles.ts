// The saved profiles, shared by the navigation and the clusters page, kept current by the core's
// profiles.changed events (changes from the CLI or another window included).
import { useEffect, useSyncExternalStore } from 'react'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface ProfilesState {
  profiles: SavedProfile[] | undefined
  error: { message: string; hint?: string } | undefined
}

let state: ProfilesState = { profiles: undefined, error: undefined }
let loaded = false
const listeners = new Set<() => void>()

function publish(next: ProfilesState): void {
  state = next
  for (const listener of listeners) listener()
}

export async function reloadProfiles(): Promise<void> {
  loaded = true
  try {
    publish({ profiles: await call('profiles.list', {}), error: undefined })
  } catch (failure) {
    publish({ profiles: state.profiles, error: errorText(failure) })
  }
}

let stopEvents: (() => void) | undefined

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  stopEvents ??= bridge.subscribe('profiles.changed', () => void reloadProfiles())
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) {
      stopEvents?.()
      stopEvents = undefined
    }
  }
}

export function useProfiles(): ProfilesState {
  const current = useSyncExternalStore(subscribe, () => state)
  useEffect(() => {
    if (!loaded) void reloadProfiles()
  }, [])
  return current
}
