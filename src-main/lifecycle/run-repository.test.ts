// Runs recorded by an earlier version stay readable: the migration to operations turns their
// plans into deploy plans whose steps hold lists of resources.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import { planSchema } from '../../src-shared/lifecycle/plan.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { databaseFileName, migrate, openDatabase } from '../store/database.ts'
import { migrations } from '../store/migrations.ts'
import { RunRepository } from './run-repository.ts'

const dirs: Array<ReturnType<typeof makeTempDir>> = []
afterEach(() => dirs.splice(0).forEach((dir) => dir.remove()))

it('reads a run recorded before plans had operations and resource lists', () => {
  const dir = makeTempDir()
  dirs.push(dir)
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
  // The plan as version 5 stored it: one optional resource per step, no operation.
  const current = compilePlan(profile)
  const stored = {
    profileName: current.profileName,
    distribution: current.distribution,
    steps: current.steps.map(({ resources, ...step }) =>
      step.kind === 'node.flash' ? { ...step, resource: resources[0] } : step,
    ),
  }
  const old = new Database(join(dir.path, databaseFileName))
  migrate(
    old,
    migrations.filter((migration) => migration.version <= 5),
  )
  old
    .prepare(
      `INSERT INTO lifecycle_runs (id, profile_name, distribution, plan, profile_snapshot, through_phase, state, created_at)
       VALUES ('r1', 'lab', 'talos', ?, ?, 'node-imaging', 'failed', '2026-11-01T00:00:00Z')`,
    )
    .run(JSON.stringify(stored), JSON.stringify(profile))
  const insert = old.prepare(
    "INSERT INTO lifecycle_steps (run_id, step_id, state, attempts, log) VALUES ('r1', ?, 'pending', 0, '')",
  )
  for (const step of stored.steps) insert.run(step.id)
  old.close()

  const db = openDatabase(dir.path)
  const run = new RunRepository(db).get('r1')!
  db.close()
  expect(run.operation).toBe('deploy')
  expect(planSchema.parse(run.plan)).toEqual(run.plan)
  expect(run.plan.steps.find((step) => step.id === 'flash:turing-w1')!.resources).toEqual(['board:rack-1'])
  expect(run.plan.steps.find((step) => step.id === 'boot:turing-w1')!.resources).toEqual([])
  expect(run.steps[0]!.earlierAttempts).toEqual([])
})
