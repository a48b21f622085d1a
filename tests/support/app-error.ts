// The AppError a call rejects with: fails the test when the call resolves or throws something else.
import { expect } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'

export async function rejection(pending: Promise<unknown>): Promise<AppError> {
  const error = await pending.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`)
    },
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}
