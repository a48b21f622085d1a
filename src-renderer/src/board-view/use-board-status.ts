// The board's live state, asked for every few seconds while the view is visible. A failed round
// keeps the last known state on screen next to the failure, so a blip does not blank the slots.
import { useCallback, useRef, useState } from 'react'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { usePolling } from '../common/use-polling.ts'
import { certificateProblemOf, type CertificateProblem } from './certificate-problem.ts'

export type BoardStatus = RequestOutput<'bmc.status'>

export interface BoardStatusState {
  status: BoardStatus | undefined
  failure: { message: string; hint?: string; certificate?: CertificateProblem } | undefined
  refresh(): void
}

const statusIntervalMs = 3000

export function useBoardStatus(
  boardId: string,
  onCertificateProblem: (problem: CertificateProblem) => void,
): BoardStatusState {
  const [status, setStatus] = useState<BoardStatus>()
  const [failure, setFailure] = useState<BoardStatusState['failure']>()
  // Open the trust dialog once per fingerprint, not on every round that fails the same way.
  const shownFingerprint = useRef<string>(undefined)
  const fetchStatus = useCallback(async () => {
    try {
      setStatus(await call('bmc.status', { boardId }))
      setFailure(undefined)
    } catch (error) {
      const certificate = certificateProblemOf(error)
      setFailure({ ...errorText(error), ...(certificate ? { certificate } : {}) })
      if (certificate && shownFingerprint.current !== certificate.actual) {
        shownFingerprint.current = certificate.actual
        onCertificateProblem(certificate)
      }
    }
  }, [boardId, onCertificateProblem])
  const refresh = usePolling(fetchStatus, statusIntervalMs)
  return { status, failure, refresh }
}
