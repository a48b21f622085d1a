// The single entrance to the core for every transport: looks the request up in the contract,
// validates the input, runs the handler and turns any failure into a typed error result.
import type { z } from 'zod'
import { AppError, describeIssues, type Result } from '../../src-shared/contract/app-error.ts'
import {
  isRequestName,
  requests,
  type RequestName,
  type RequestOutput,
  type Requests,
} from '../../src-shared/contract/index.ts'

export type Handlers = {
  [N in RequestName]: (input: z.output<Requests[N]['input']>) => Promise<RequestOutput<N>> | RequestOutput<N>
}

export type Dispatch = (name: string, input: unknown) => Promise<Result<unknown>>

export function createDispatcher(
  handlers: Handlers,
  onUnexpectedError: (name: string, error: unknown) => void,
): Dispatch {
  return async (name, input) => {
    if (!isRequestName(name)) {
      // Quoted short: a client must not get its own megabytes back (or fill a log with them).
      const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name
      return failure(new AppError('unknown_request', `"${shown}" is not a Clusterdeck request.`))
    }
    const parsed = requests[name].input.safeParse(input ?? {})
    if (!parsed.success) {
      return failure(
        new AppError(
          'invalid_input',
          describeIssues(parsed.error),
          'Correct the fields named and try again.',
        ),
      )
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown
      const value = await handler(parsed.data)
      return { ok: true, value }
    } catch (error) {
      if (error instanceof AppError) return failure(error)
      onUnexpectedError(name, error)
      return failure(
        new AppError(
          'internal',
          `${name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
          'This is a bug in Clusterdeck; the details are in the log file of the data directory.',
        ),
      )
    }
  }
}

function failure(error: AppError): Result<never> {
  return { ok: false, error: error.toData() }
}
