// Errors cross every transport as data, never as stack traces: a stable code for programs, a
// message that names what failed, and a hint that says what to do about it.
import { z } from 'zod'

export const errorCodes = [
  'invalid_input',
  'not_found',
  'conflict',
  'secrets_unavailable',
  'unknown_request',
  'transport',
  'internal',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export const appErrorDataSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  hint: z.string().optional(),
})

export type AppErrorData = z.infer<typeof appErrorDataSchema>

export class AppError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.hint = hint
  }

  toData(): AppErrorData {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint }
  }

  static fromData(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, data.hint)
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData }

/** Turns a zod failure into the one-line-per-problem message users see. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}
