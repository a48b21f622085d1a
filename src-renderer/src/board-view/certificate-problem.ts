// The two failures that only the user can resolve by looking at a fingerprint: a BMC whose
// certificate was never trusted, and one whose certificate is not the trusted one any more.
import { AppError } from '../../../src-shared/contract/app-error.ts'

export interface CertificateProblem {
  changed: boolean
  message: string
  hint?: string
  /** The fingerprint the BMC presents now. */
  actual: string
  /** The fingerprint trusted so far, when there is one. */
  expected?: string
}

export function certificateProblemOf(error: unknown): CertificateProblem | undefined {
  if (!(error instanceof AppError)) return undefined
  if (error.code !== 'bmc_certificate_untrusted' && error.code !== 'bmc_certificate_changed') return undefined
  const actual = error.details?.actual
  if (!actual) return undefined
  return {
    changed: error.code === 'bmc_certificate_changed',
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    actual,
    ...(error.details?.expected ? { expected: error.details.expected } : {}),
  }
}
