// Runs and their steps in SQLite: every state change is written before it is announced, so a run
// survives the process that ran it (a crash, a kill, a closed laptop) and can be resumed.
import { hostname } from 'node:os'
import type { Plan } from '../../src-shared/lifecycle/plan.ts'
import type {
  Run,
  RunState,
  RunStep,
  RunSummary,
  StepAttempt,
  StepState,
} from '../../src-shared/lifecycle/run-schema.ts'
import { stepStates } from '../../src-shared/lifecycle/run-schema.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { processExists } from '../core/process-alive.ts'
import type { Db } from '../store/database.ts'

interface RunRow {
  id: string
  operation: Run['operation']
  profile_id: string | null
  profile_name: string
  distribution: 'talos' | 'k3s'
  plan: string
  profile_snapshot: string
  through_phase: Run['throughPhase']
  state: RunState
  created_at: string
  finished_at: string | null
  heartbeat_at: string | null
  message: string | null
}

interface StepRow {
  run_id: string
  step_id: string
  state: StepState
  attempts: number
  started_at: string | null
  finished_at: string | null
  message: string | null
  output: string | null
  confirm_phrase: string | null
}

interface AttemptRow {
  step_id: string
  attempt: number
  state: StepState
  started_at: string
  finished_at: string
  message: string | null
}

/** Logs are for people: a runaway step must not fill the database. */
const maxLogChars = 256 * 1024

export class RunRepository {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  create(run: Run, profile: ClusterProfile): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO lifecycle_runs (id, operation, profile_id, profile_name, distribution, plan, profile_snapshot, through_phase,
             state, created_at, finished_at, heartbeat_at, message, owner_host, owner_pid)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.id,
          run.operation,
          run.profileId,
          run.profileName,
          run.distribution,
          JSON.stringify(run.plan),
          JSON.stringify(profile),
          run.throughPhase,
          run.state,
          run.createdAt,
          run.finishedAt,
          run.createdAt,
          run.message,
          hostname(),
          process.pid,
        )
      const insert = this.db.prepare(
        'INSERT INTO lifecycle_steps (run_id, step_id, state, attempts, message, log) VALUES (?, ?, ?, 0, ?, ?)',
      )
      for (const step of run.steps) insert.run(run.id, step.stepId, step.state, step.message, '')
    })()
  }

  get(runId: string): Run | undefined {
    const row = this.db.prepare('SELECT * FROM lifecycle_runs WHERE id = ?').get(runId) as RunRow | undefined
    if (!row) return undefined
    const steps = this.db.prepare('SELECT * FROM lifecycle_steps WHERE run_id = ?').all(runId) as StepRow[]
    const plan = JSON.parse(row.plan) as Plan
    const byId = new Map(steps.map((step) => [step.step_id, step]))
    const attempts = this.db
      .prepare('SELECT * FROM lifecycle_step_attempts WHERE run_id = ? ORDER BY attempt')
      .all(runId) as AttemptRow[]
    const earlier = new Map<string, AttemptRow[]>()
    for (const attempt of attempts)
      earlier.set(attempt.step_id, [...(earlier.get(attempt.step_id) ?? []), attempt])
    return {
      ...summaryFields(row),
      plan,
      steps: plan.steps.map((planStep) => ({
        ...toStep(byId.get(planStep.id)!),
        earlierAttempts: (earlier.get(planStep.id) ?? []).map(toAttempt),
      })),
    }
  }

  profileOf(runId: string): ClusterProfile {
    const row = this.db.prepare('SELECT profile_snapshot FROM lifecycle_runs WHERE id = ?').get(runId) as
      { profile_snapshot: string } | undefined
    return JSON.parse(row!.profile_snapshot) as ClusterProfile
  }

  list(profileName?: string): RunSummary[] {
    const rows = (
      profileName === undefined
        ? this.db.prepare('SELECT * FROM lifecycle_runs ORDER BY created_at DESC').all()
        : this.db
            .prepare('SELECT * FROM lifecycle_runs WHERE profile_name = ? ORDER BY created_at DESC')
            .all(profileName)
    ) as RunRow[]
    const counts = this.db.prepare(
      'SELECT state, COUNT(*) AS n FROM lifecycle_steps WHERE run_id = ? GROUP BY state',
    )
    return rows.map((row) => {
      const stepCounts = Object.fromEntries(stepStates.map((state) => [state, 0])) as Record<
        StepState,
        number
      >
      for (const { state, n } of counts.all(row.id) as Array<{ state: StepState; n: number }>)
        stepCounts[state] = n
      return { ...summaryFields(row), stepCounts }
    })
  }

  /** Also makes this process the run's owner: whoever changes a run's state is the one running it. */
  setRunState(runId: string, state: RunState, finishedAt: string | null, message: string | null): void {
    this.db
      .prepare(
        'UPDATE lifecycle_runs SET state = ?, finished_at = ?, message = ?, heartbeat_at = ?, owner_host = ?, owner_pid = ? WHERE id = ?',
      )
      .run(state, finishedAt, message, new Date().toISOString(), hostname(), process.pid, runId)
  }

  heartbeat(runId: string): void {
    this.db
      .prepare('UPDATE lifecycle_runs SET heartbeat_at = ? WHERE id = ?')
      .run(new Date().toISOString(), runId)
  }

  /**
   * Runs marked running whose process is gone: on this machine its pid no longer exists; elsewhere
   * (a data directory on a shared disk) it stopped beating more than `staleMs` ago.
   */
  orphanedRunIds(staleMs: number): string[] {
    const cutoff = new Date(Date.now() - staleMs).toISOString()
    const rows = this.db
      .prepare("SELECT id, heartbeat_at, owner_host, owner_pid FROM lifecycle_runs WHERE state = 'running'")
      .all() as Array<{
      id: string
      heartbeat_at: string | null
      owner_host: string | null
      owner_pid: number | null
    }>
    return rows
      .filter((row) =>
        row.owner_host === hostname() && row.owner_pid !== null
          ? row.owner_pid !== process.pid && !processExists(row.owner_pid)
          : row.heartbeat_at === null || row.heartbeat_at < cutoff,
      )
      .map((row) => row.id)
  }

  /**
   * Makes a step pending again. Its latest attempt, when it started, moves to the step's earlier
   * attempts; one whose process died while it ran ends at the run's last heartbeat, as cancelled.
   */
  reopenStep(runId: string, stepId: string): void {
    this.db.transaction(() => {
      const current = this.stepRow(runId, stepId)
      if (current.started_at !== null) {
        const { heartbeat_at } = this.db
          .prepare('SELECT heartbeat_at FROM lifecycle_runs WHERE id = ?')
          .get(runId) as { heartbeat_at: string | null }
        const abandoned = current.state === 'running' || current.state === 'pending'
        this.db
          .prepare(
            'INSERT OR REPLACE INTO lifecycle_step_attempts (run_id, step_id, attempt, state, started_at, finished_at, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            runId,
            stepId,
            current.attempts,
            abandoned ? 'cancelled' : current.state,
            current.started_at,
            current.finished_at ?? heartbeat_at ?? current.started_at,
            abandoned ? 'the process running it stopped' : current.message,
          )
      }
      this.updateStep(runId, stepId, {
        state: 'pending',
        startedAt: null,
        finishedAt: null,
        message: null,
        confirmPhrase: undefined,
      })
    })()
  }

  updateStep(
    runId: string,
    stepId: string,
    patch: Partial<Omit<RunStep, 'stepId' | 'earlierAttempts'>>,
  ): void {
    const next = { ...toStep(this.stepRow(runId, stepId)), ...patch }
    this.db
      .prepare(
        'UPDATE lifecycle_steps SET state = ?, attempts = ?, started_at = ?, finished_at = ?, message = ?, confirm_phrase = ? WHERE run_id = ? AND step_id = ?',
      )
      .run(
        next.state,
        next.attempts,
        next.startedAt,
        next.finishedAt,
        next.message,
        next.confirmPhrase ?? null,
        runId,
        stepId,
      )
  }

  private stepRow(runId: string, stepId: string): StepRow {
    return this.db
      .prepare('SELECT * FROM lifecycle_steps WHERE run_id = ? AND step_id = ?')
      .get(runId, stepId) as StepRow
  }

  setOutput(runId: string, stepId: string, output: Record<string, unknown>): void {
    this.db
      .prepare('UPDATE lifecycle_steps SET output = ? WHERE run_id = ? AND step_id = ?')
      .run(JSON.stringify(output), runId, stepId)
  }

  output(runId: string, stepId: string): Record<string, unknown> | undefined {
    const row = this.db
      .prepare('SELECT output FROM lifecycle_steps WHERE run_id = ? AND step_id = ?')
      .get(runId, stepId) as { output: string | null } | undefined
    return row?.output ? (JSON.parse(row.output) as Record<string, unknown>) : undefined
  }

  appendLog(runId: string, stepId: string, line: string): void {
    this.db
      .prepare(
        `UPDATE lifecycle_steps SET log = CASE WHEN length(log) > ? THEN log ELSE log || ? END WHERE run_id = ? AND step_id = ?`,
      )
      .run(maxLogChars, `${line}\n`, runId, stepId)
  }

  log(runId: string, stepId: string): string {
    const row = this.db
      .prepare('SELECT log FROM lifecycle_steps WHERE run_id = ? AND step_id = ?')
      .get(runId, stepId) as { log: string } | undefined
    return row?.log ?? ''
  }
}

function summaryFields(row: RunRow): Omit<Run, 'plan' | 'steps'> {
  return {
    id: row.id,
    operation: row.operation,
    profileId: row.profile_id,
    profileName: row.profile_name,
    distribution: row.distribution,
    throughPhase: row.through_phase,
    state: row.state,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    message: row.message,
  }
}

function toAttempt(row: AttemptRow): StepAttempt {
  return {
    attempt: row.attempt,
    state: row.state,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    message: row.message,
  }
}

function toStep(row: StepRow): Omit<RunStep, 'earlierAttempts'> {
  return {
    stepId: row.step_id,
    state: row.state,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    message: row.message,
    ...(row.confirm_phrase ? { confirmPhrase: row.confirm_phrase } : {}),
  }
}
