// `clusterdeck deploy PROFILE [--dry-run] [--resume [RUN_ID] [--confirm PHRASE]] [--through PHASE]`:
// the same plan and engine as the app's Deploy, with the timeline as text. PROFILE is a saved
// profile's name or a YAML file (imported first). Ctrl-C cancels the run; a killed process leaves
// it interrupted, for --resume. A step that stops for a typed confirmation (erasing a drive that
// holds data) names the phrase; --confirm gives it to the resumed run's next attempt of that step.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { Option } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { shellQuote } from '../../src-shared/k3s/remote-command.ts'
import {
  operationPhases,
  phaseTitles,
  planPhases,
  type OperationId,
  type PhaseId,
  type Plan,
} from '../../src-shared/lifecycle/plan.ts'
import type { Run, StepState } from '../../src-shared/lifecycle/run-schema.ts'
import { readProfileFile } from '../profiles/profile-file.ts'
import type { CliContext } from './main.ts'

const marks: Record<StepState, string> = {
  pending: '·',
  running: '▶',
  done: '✓',
  skipped: '↷',
  failed: '✗',
  cancelled: '■',
  blocked: '⊘',
  'not-run': '–',
}

export function registerDeployCommand(program: Command, cli: CliContext): void {
  program
    .command('deploy')
    .description('run a cluster profile through its lifecycle phases (as far as this version goes)')
    .argument('<profile>', 'a saved profile’s name, or a profile YAML file')
    .option('--dry-run', 'show the plan and change nothing')
    .option(
      '--resume [runId]',
      'continue the profile’s latest run (or the run given), skipping what is already in place',
    )
    .option(
      '--confirm <phrase>',
      'with --resume: the phrase a failed step asked you to type before it erases something',
    )
    .addOption(new Option('--through <phase>', 'stop after this phase').choices(operationPhases.deploy))
    .action(
      async (
        target: string,
        options: { dryRun?: boolean; resume?: boolean | string; confirm?: string; through?: PhaseId },
      ) => {
        if (options.confirm !== undefined && !options.resume) {
          throw new AppError(
            'invalid_input',
            '--confirm goes with --resume: it answers a step of a run that asked for it.',
            'Run: clusterdeck deploy PROFILE --resume --confirm "PHRASE"',
          )
        }
        const out = (text: string) => void cli.io.stdout.write(`${text}\n`)
        const ref = existsSync(target)
          ? // The file is the profile: deploying it again takes its current content.
            (await cli.call('profiles.importYaml', { yaml: readProfileFile(target), onConflict: 'replace' }))
              .saved.name
          : target

        if (options.dryRun) {
          const { plan, runnablePhases } = await cli.call('lifecycle.plan', { profile: ref })
          printPlan(out, plan, runnablePhases)
          return
        }

        await followRun(
          cli,
          () =>
            options.resume
              ? resumeRun(
                  cli,
                  ref,
                  typeof options.resume === 'string' ? options.resume : undefined,
                  'deploy',
                  options.confirm,
                )
              : cli.call('lifecycle.deploy', {
                  profile: ref,
                  ...(options.through ? { throughPhase: options.through } : {}),
                }),
          (run) => `clusterdeck deploy ${run.profileName} --resume ${run.id}`,
        )
      },
    )
}

/**
 * Starts (or resumes) a run and prints its timeline until it settles: one line per step change,
 * the step logs on stderr. Ctrl-C cancels the run; a run that does not finish is an error whose
 * hint is the command that continues it.
 */
export async function followRun(
  cli: CliContext,
  start: () => Promise<Run>,
  resumeCommand: (run: Run) => string,
): Promise<Run> {
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)
  const core = cli.core()
  // Every lifecycle.run event carries the whole run, so events before the id is known can be dropped.
  let runId: string | undefined
  const printed = new Map<string, string>()
  const onRun = (run: Run) => {
    for (const step of run.steps) {
      const key = `${step.state}|${step.attempts}`
      if (printed.get(step.stepId) === key || step.state === 'pending' || step.state === 'not-run') continue
      printed.set(step.stepId, key)
      const title = run.plan.steps.find((s) => s.id === step.stepId)!.title
      out(
        `${time()} ${marks[step.state]} ${title}${step.message && step.state !== 'running' ? ` — ${step.message}` : ''}`,
      )
    }
  }
  const stopRuns = core.events.on('lifecycle.run', (run) => {
    if (run.id === runId) onRun(run)
  })
  const stopLogs = core.events.on('lifecycle.log', ({ runId: id, line }) => {
    if (id === runId) cli.io.stderr.write(`    ${line.replace(/^\S+ /, '')}\n`)
  })
  const interrupt = () => void (runId && cli.call('lifecycle.cancel', { runId }).catch(() => undefined))
  process.once('SIGINT', interrupt)
  try {
    const started = await start()
    runId = started.id
    out(`Run ${started.id} of "${started.profileName}" through ${phaseTitles[started.throughPhase]}`)
    onRun(await cli.call('lifecycle.run', { runId: started.id }))
    const finished = await (await core.domains()).lifecycle.settled(started.id)
    onRun(finished)
    out(`${time()} Run ${finished.state}: ${finished.message ?? ''}`)
    if (finished.state !== 'done') {
      // A step waiting for a typed phrase: the command that continues the run gives it.
      const phrase = finished.steps.find(
        (step) => step.state === 'failed' && step.confirmPhrase,
      )?.confirmPhrase
      const resume = `${resumeCommand(finished)}${phrase ? ` --confirm ${shellQuote(phrase)}` : ''}`
      throw finished.state === 'cancelled'
        ? new AppError('cancelled', 'The run was stopped.', `Continue it when you want with: ${resume}`)
        : new AppError(
            'internal',
            `The run did not finish (${finished.state}).`,
            `Fix the cause, then continue with: ${resume}`,
          )
    }
    return finished
  } finally {
    process.off('SIGINT', interrupt)
    stopRuns()
    stopLogs()
  }
}

/** The latest run of the operation on the profile, or the one named: an older failed run is never picked by itself. */
export async function resumeRun(
  cli: CliContext,
  ref: string,
  runId: string | undefined,
  operation: OperationId = 'deploy',
  confirm?: string,
): Promise<Run> {
  const resume = (id: string) => cli.call('lifecycle.resume', { runId: id, ...(confirm ? { confirm } : {}) })
  const runs = await cli.call('lifecycle.runs', { profile: ref })
  if (runId !== undefined) {
    if (!runs.some((run) => run.id === runId)) {
      throw new AppError(
        'not_found',
        `"${ref}" has no run ${runId}.`,
        `List its runs in the app, or resume the latest with: clusterdeck ${operation} ${ref} --resume`,
      )
    }
    return resume(runId)
  }
  // Runs of this operation only: a destroy or upgrade of the same profile is resumed by its own command.
  const latest = runs.find((run) => run.operation === operation) // newest first
  if (!latest) {
    throw new AppError(
      'not_found',
      `"${ref}" has no ${operation} run to resume.`,
      `Start one with: clusterdeck ${operation} ${ref}`,
    )
  }
  if (latest.state === 'done') {
    throw new AppError(
      'invalid_input',
      `The latest ${operation} run of "${ref}" (${latest.id}) finished; there is nothing to resume.`,
      `Start a new run with: clusterdeck ${operation} ${ref}, or continue an older one with --resume RUN_ID.`,
    )
  }
  return resume(latest.id)
}

export function printPlan(out: (text: string) => void, plan: Plan, runnable: readonly PhaseId[]): void {
  out(`Plan for "${plan.profileName}" (${plan.distribution}), ${plan.steps.length} steps:`)
  for (const phase of planPhases(plan)) {
    const steps = plan.steps.filter((step) => step.phase === phase)
    out('')
    out(
      `${phaseTitles[phase]}${runnable.includes(phase) ? '' : '  (not available in this version: the run stops before it)'}`,
    )
    for (const step of steps) {
      out(
        `  ${step.id.padEnd(28)} ${step.title}${step.dependsOn.length ? `  ← ${step.dependsOn.join(', ')}` : ''}`,
      )
    }
  }
}

function time(): string {
  return new Date().toTimeString().slice(0, 8)
}
