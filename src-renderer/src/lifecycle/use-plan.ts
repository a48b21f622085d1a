import { useEffect, useState } from 'react'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import type { OperationId, OperationOptions } from '../../../src-shared/lifecycle/plan.ts'
import { call, errorText } from '../bridge/bridge.ts'

export type PlanAnswer = RequestOutput<'lifecycle.plan'>

/** The plan of one operation on the profile (a dry run: the core touches nothing), asked for while `enabled`. */
export function usePlan(
  profileId: string,
  enabled: boolean,
  operation: OperationId = 'deploy',
  options: OperationOptions = {},
) {
  const optionsKey = JSON.stringify(options)
  const [plan, setPlan] = useState<PlanAnswer>()
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  useEffect(() => {
    if (!enabled) return
    let active = true
    setPlan(undefined)
    setFailure(undefined)
    call('lifecycle.plan', {
      profile: profileId,
      operation,
      options: JSON.parse(optionsKey) as OperationOptions,
    }).then(
      (answer) => active && setPlan(answer),
      (error: unknown) => active && setFailure(errorText(error)),
    )
    return () => {
      active = false
    }
  }, [profileId, enabled, operation, optionsKey])
  return { plan, failure }
}
