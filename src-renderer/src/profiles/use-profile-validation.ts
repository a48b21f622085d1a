// Validation as the user types: the core checks the draft (the same rules Save and the CLI apply)
// once typing pauses, and only the answer for the latest draft is kept.
import { useEffect, useRef, useState } from 'react'
import { call, errorText } from '../bridge/bridge.ts'
import type { ProfileIssue } from './profile-issues.ts'

export interface ProfileValidation {
  issues: ProfileIssue[]
  /** True from an edit until the core answered for it. */
  checking: boolean
  failure: { message: string; hint?: string } | undefined
}

const debounceMs = 300

export function useProfileValidation(
  input: { profile: unknown } | { yaml: string } | null,
): ProfileValidation {
  const [result, setResult] = useState<ProfileValidation>({ issues: [], checking: false, failure: undefined })
  const round = useRef(0)
  useEffect(() => {
    const mine = ++round.current
    if (input === null) {
      setResult({ issues: [], checking: false, failure: undefined })
      return
    }
    setResult((previous) => ({ ...previous, checking: true }))
    const timer = setTimeout(() => {
      call('profiles.validate', input).then(
        ({ issues }) => mine === round.current && setResult({ issues, checking: false, failure: undefined }),
        (error: unknown) =>
          mine === round.current && setResult({ issues: [], checking: false, failure: errorText(error) }),
      )
    }, debounceMs)
    return () => clearTimeout(timer)
  }, [input])
  return result
}
