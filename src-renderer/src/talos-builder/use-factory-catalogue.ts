// The factory's catalogue for the builder: Talos versions, and the official extensions of the
// chosen version. Both come from the core's cache when the factory cannot be reached; `source`
// and `unavailable` say so, and a list never fetched is an error with its hint.
import { useEffect, useState } from 'react'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import { call, errorText } from '../bridge/bridge.ts'

type Failure = ReturnType<typeof errorText>
export type VersionList = RequestOutput<'factory.versions'>
export type ExtensionList = RequestOutput<'factory.extensions'>

export function useTalosVersions(): { versions: VersionList | undefined; error: Failure | undefined } {
  const [versions, setVersions] = useState<VersionList>()
  const [error, setError] = useState<Failure>()
  useEffect(() => {
    let active = true
    call('factory.versions', {}).then(
      (list) => active && setVersions(list),
      (failure: unknown) => active && setError(errorText(failure)),
    )
    return () => {
      active = false
    }
  }, [])
  return { versions, error }
}

export function useExtensions(version: string | null): {
  extensions: ExtensionList | undefined
  error: Failure | undefined
} {
  const [state, setState] = useState<{ version: string; extensions?: ExtensionList; error?: Failure }>()
  useEffect(() => {
    if (!version) return
    let active = true
    call('factory.extensions', { version }).then(
      (extensions) => active && setState({ version, extensions }),
      (failure: unknown) => active && setState({ version, error: errorText(failure) }),
    )
    return () => {
      active = false
    }
  }, [version])
  // An answer for another version is not shown while the new one is on its way.
  const current = state?.version === version ? state : undefined
  return { extensions: current?.extensions, error: current?.error }
}
