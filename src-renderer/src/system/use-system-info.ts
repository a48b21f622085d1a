import { useEffect, useState } from 'react'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import { call } from '../bridge/bridge.ts'

export type SystemInfo = RequestOutput<'system.info'>

export function useSystemInfo(): SystemInfo | undefined {
  const [info, setInfo] = useState<SystemInfo>()
  useEffect(() => {
    call('system.info', {}).then(setInfo, () => undefined)
  }, [])
  return info
}
