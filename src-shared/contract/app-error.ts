// Errors cross every transport as data, never as stack traces: a stable code for programs, a
// message that names what failed, and a hint that says what to do about it.
import { z } from 'zod'

export const errorCodes = [
  'invalid_input',
  'not_found',
  'conflict',
  'secrets_unavailable',
  'bmc_unreachable',
  'bmc_auth_failed',
  'bmc_locked_out',
  'bmc_certificate_untrusted',
  'bmc_certificate_changed',
  'bmc_busy',
  'bmc_error',
  'bmc_unsupported',
  'ssh_unreachable',
  'ssh_auth_failed',
  /** A node answered SSH with another host key than the pinned one (details: expected, actual). */
  'ssh_host_key_changed',
  /** A command on a node exited non-zero where it had to succeed (a node action's apply). */
  'node_command_failed',
  'timeout',
  'cancelled',
  'network_unreachable',
  'download_failed',
  'checksum_mismatch',
  'cache_full',
  'disk_full',
  'factory_error',
  'tool_missing',
  'tool_failed',
  /** The Kubernetes API kept refusing a change (a webhook that never answered, a missing CRD). */
  'cluster_refused',
  /** Planned but not in this version yet (a step kind without its executor). */
  'not_implemented',
  /** A sealed file failed its authenticity check. */
  'tampered',
  'unknown_request',
  'transport',
  'busy',
  'internal',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export const appErrorDataSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  hint: z.string().optional(),
  /** Facts a client can act on, e.g. both certificate fingerprints for "trust the new certificate". */
  details: z.record(z.string(), z.string()).optional(),
})

export type AppErrorData = z.infer<typeof appErrorDataSchema>

export class AppError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly details: Record<string, string> | undefined

  constructor(code: ErrorCode, message: string, hint?: string, details?: Record<string, string>) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.hint = hint
    this.details = details
  }

  toData(): AppErrorData {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    }
  }

  static fromData(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, data.hint, data.details)
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData }

/** Turns a zod failure into the one-line-per-problem message users see. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}
