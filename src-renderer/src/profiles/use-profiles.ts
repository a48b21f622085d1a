// The saved profiles, shared by the navigation and the clusters page. The core sends no event when
// profiles change, so whoever changes one calls `reloadProfiles()` and every view follows.
import { useEffect, useSyncExternalStore } from 'react'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call, errorText } from '../bridge/bridge.ts'

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

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function useProfiles(): ProfilesState {
  const current = useSyncExternalStore(subscribe, () => state)
  useEffect(() => {
    if (!loaded) void reloadProfiles()
  }, [])
  return current
}
