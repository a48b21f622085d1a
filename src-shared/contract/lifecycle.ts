import { z } from 'zod'
import { flashPhaseSchema } from '../flash/flash-schemas.ts'
import { operationIdSchema, operationOptionsSchema, phaseIdSchema, planSchema } from '../lifecycle/plan.ts'
import { byteProgressSchema } from '../progress/progress.ts'
import { runSchema, runSummarySchema } from '../lifecycle/run-schema.ts'
import { defineEvent, defineRequest } from './define.ts'

const profileRef = z.string().trim().min(1, { message: 'is empty: name a profile by its name or id' })
const runRef = z.object({ runId: z.string() })
const confirmation = z.string().max(300).optional()

export const lifecycleRequests = {
  'lifecycle.plan': defineRequest({
    description:
      'A dry run: the plan of one operation on the profile (default: deploy), which phases this version can run, and what stands in the way. Touches nothing. `refusal`: why lifecycle.start would refuse this operation now (nothing deployed, a version that skips a minor release).',
    input: z.object({
      profile: profileRef,
      operation: operationIdSchema.default('deploy'),
      options: operationOptionsSchema.default({}),
    }),
    output: z.object({
      plan: planSchema,
      runnablePhases: z.array(phaseIdSchema),
      refusal: z.object({ message: z.string(), hint: z.string().optional() }).optional(),
    }),
  }),
  'lifecycle.deploy': defineRequest({
    description:
      'Starts a run of the profile through the given phase (default: as far as this version goes).',
    input: z.object({ profile: profileRef, throughPhase: phaseIdSchema.optional() }),
    output: runSchema,
  }),
  'lifecycle.start': defineRequest({
    description:
      'Starts a run of one operation on the profile’s cluster (deploy, upgrade, backup, destroy) through the given phase. Steps this version cannot run fail with not_implemented, naming their kind. An upgrade is refused when its versions skip a minor release or go back; a destroy only starts with `confirm` set to the cluster’s name.',
    input: z.object({
      profile: profileRef,
      operation: operationIdSchema,
      throughPhase: phaseIdSchema.optional(),
      options: operationOptionsSchema.default({}),
      /** A destroy's typed confirmation: the cluster's (profile's) name. */
      confirm: z.string().optional(),
    }),
    output: runSchema,
  }),
  'lifecycle.resume': defineRequest({
    description:
      'Continues an interrupted, failed or cancelled run; steps whose effect is already in place are skipped. `confirm`: the phrase a failed step asked the user to type (its confirmPhrase).',
    input: runRef.extend({ confirm: confirmation }),
    output: runSchema,
  }),
  'lifecycle.cancel': defineRequest({
    description:
      'Cancels a running run; running steps are stopped (a node being flashed is left powered off).',
    input: runRef,
    output: runSchema,
  }),
  'lifecycle.retryStep': defineRequest({
    description:
      'Runs a failed step again (and then what waits for it). `confirm`: the phrase the step asked the user to type (its confirmPhrase) before something destructive, given to this attempt only.',
    input: z.object({ runId: z.string(), stepId: z.string(), confirm: confirmation }),
    output: runSchema,
  }),
  'lifecycle.runs': defineRequest({
    description: 'Past and current runs, newest first; of one profile when given.',
    input: z.object({ profile: profileRef.optional() }),
    output: z.array(runSummarySchema),
  }),
  'lifecycle.run': defineRequest({
    description: 'One run with its plan and every step’s state.',
    input: runRef,
    output: runSchema,
  }),
  'lifecycle.stepLog': defineRequest({
    description: "A step's log (secrets redacted).",
    input: z.object({ runId: z.string(), stepId: z.string() }),
    output: z.object({ log: z.string() }),
  }),
  'lifecycle.report': defineRequest({
    description: 'A report of the run, as Markdown or HTML, to save or share.',
    input: z.object({ runId: z.string(), format: z.enum(['markdown', 'html']).default('markdown') }),
    output: z.object({ fileName: z.string(), content: z.string() }),
  }),
}

export const lifecycleEvents = {
  'lifecycle.run': defineEvent({
    description: 'A run or one of its steps changed state.',
    payload: runSchema,
  }),
  'lifecycle.stepProgress': defineEvent({
    description:
      "A running step's flash made progress (about twice a second): its phase, bytes, rate and time left.",
    payload: z.object({
      runId: z.string(),
      stepId: z.string(),
      flashJobId: z.string(),
      phase: flashPhaseSchema,
      progress: byteProgressSchema.nullable(),
      /** The BMC reads the image back after writing it (a second pass of the same size). */
      verify: z.boolean(),
      imageSizeBytes: z.number().nullable(),
    }),
  }),
  'lifecycle.log': defineEvent({
    description: "A line was added to a step's log.",
    payload: z.object({ runId: z.string(), stepId: z.string(), line: z.string() }),
  }),
}
