// Where a board's failed requests go: a certificate problem opens the trust dialog (only the user
// can settle it), anything else becomes a notification with the core's hint.
import { useCallback, useState } from 'react'
import { notifyFailure } from '../common/notify-failure.ts'
import { certificateProblemOf, type CertificateProblem } from './certificate-problem.ts'

export interface BoardFailures {
  report(error: unknown): void
  /** Opens the trust dialog for a problem found by a request that reports its own failure. */
  reviewCertificate(problem: CertificateProblem): void
  certificate: CertificateProblem | undefined
  closeCertificate(): void
}

export function useBoardFailures(): BoardFailures {
  const [certificate, setCertificate] = useState<CertificateProblem>()
  const report = useCallback((error: unknown) => {
    const problem = certificateProblemOf(error)
    if (problem) setCertificate(problem)
    else notifyFailure(error)
  }, [])
  const closeCertificate = useCallback(() => setCertificate(undefined), [])
  return { report, reviewCertificate: setCertificate, certificate, closeCertificate }
}
