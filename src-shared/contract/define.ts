// The building blocks of the contract: a request is a name with a zod input and output schema; an
// event is a name with a zod payload schema (checked in tests, trusted at run time).
import type { z } from 'zod'

export interface RequestDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I
  readonly output: O
  readonly description: string
}

export function defineRequest<I extends z.ZodType, O extends z.ZodType>(
  definition: RequestDefinition<I, O>,
): RequestDefinition<I, O> {
  return definition
}

export interface EventDefinition<P extends z.ZodType = z.ZodType> {
  readonly payload: P
  readonly description: string
}

export function defineEvent<P extends z.ZodType>(definition: EventDefinition<P>): EventDefinition<P> {
  return definition
}
