// How long a running run still needs, roughly: each step left gets a duration — a running flash its
// bytes left (and its read-back pass) at the rate observed, other steps what steps of the same kind
// took earlier in this run, or a typical duration — and the steps are laid out as the engine runs
// them: after what they wait for, one at a time per resource (one board's transfer slot).
import type { FlashPhase } from '../flash/flash-schemas.ts'
import type { ByteProgress } from '../progress/progress.ts'
import type { StepKind } from './plan.ts'
import type { Run } from './run-schema.ts'

/** What the last lifecycle.stepProgress event said about a running flash step. */
export interface FlashStepProgress {
  phase: FlashPhase
  progress: ByteProgress | null
  verify: boolean
  imageSizeBytes: number | null
}

/** Seconds a step of each kind typically takes on RK1 modules, when this run has not timed one yet. */
export const typicalStepSeconds: Record<StepKind, number> = {
  'image.prepare': 60,
  'node.flash': 300,
  'node.wait-boot': 90,
  'talos.generate-secrets': 2,
  'talos.generate-configs': 2,
  'talos.apply-config': 30,
  'talos.bootstrap': 120,
  'talos.export-configs': 2,
  'k3s.prepare-node': 60,
  'k3s.install-server': 120,
  'k3s.install-agent': 90,
  'k3s.export-kubeconfig': 2,
  'cluster.wait-ready': 180,
  'addon.install': 120,
  'cluster.ready': 5,
  'node.upgrade-os': 600,
  'cluster.upgrade-kubernetes': 600,
  'cluster.etcd-snapshot': 30,
  'cluster.save-backup': 5,
  'addon.uninstall': 60,
  'node.reset': 120,
  'node.power-off': 30,
  'cluster.forget': 2,
}

/** After the last byte: the BMC powers the node on and the flash job finishes. */
const flashTailSeconds = 5

/** Seconds left for a flash, from its bytes left at its rate; null before there is a rate. */
export function flashSecondsLeft(flash: FlashStepProgress): number | null {
  const { progress } = flash
  if (flash.phase === 'powering-on') return flashTailSeconds
  if (!progress || progress.bytesPerSecond <= 0) return null
  const total = progress.bytesTotal ?? flash.imageSizeBytes
  if (total === null) return null
  const left = Math.max(0, total - progress.bytesDone)
  // While writing, a verified flash still has the whole read-back pass ahead of it.
  const readBack = flash.phase !== 'verifying' && flash.verify ? total : 0
  return (left + readBack) / progress.bytesPerSecond + flashTailSeconds
}

/** Seconds until the run ends at this pace, or null when it is not running. */
export function estimateRunSecondsLeft(
  run: Run,
  now: number,
  flashes: Readonly<Record<string, FlashStepProgress>>,
): number | null {
  if (run.state !== 'running') return null
  const states = new Map(run.steps.map((step) => [step.stepId, step]))

  // What steps of each kind took in this run so far.
  const taken = new Map<StepKind, number[]>()
  for (const step of run.plan.steps) {
    const state = states.get(step.id)
    if (state?.state !== 'done' || !state.startedAt || !state.finishedAt) continue
    const seconds = (Date.parse(state.finishedAt) - Date.parse(state.startedAt)) / 1000
    taken.set(step.kind, [...(taken.get(step.kind) ?? []), seconds])
  }
  // A flash not started yet writes (most likely) the same image at the rate seen now.
  const measured = Object.values(flashes).find((flash) => (flash.progress?.bytesPerSecond ?? 0) > 0)
  const pendingFlash = measured
    ? flashSecondsLeft({ ...measured, phase: 'writing', progress: { ...measured.progress!, bytesDone: 0 } })
    : null
  const expected = (kind: StepKind) => {
    const times = taken.get(kind)
    if (times?.length) return times.reduce((sum, time) => sum + time, 0) / times.length
    if (kind === 'node.flash' && pendingFlash !== null) return pendingFlash
    return typicalStepSeconds[kind]
  }

  const finish = new Map<string, number>()
  const resourceFree = new Map<string, number>()
  let end = 0
  // Running steps hold their resources now; pending ones follow in plan order (dependencies first).
  const stateOf = (id: string) => states.get(id)?.state
  const left = [
    ...run.plan.steps.filter((step) => stateOf(step.id) === 'running'),
    ...run.plan.steps.filter((step) => stateOf(step.id) === 'pending'),
  ]
  for (const step of left) {
    const state = stateOf(step.id)
    let duration: number
    let start: number
    if (state === 'running') {
      const started = states.get(step.id)?.startedAt
      const elapsed = started ? Math.max(0, (now - Date.parse(started)) / 1000) : 0
      const flash = flashes[step.id]
      duration = (flash && flashSecondsLeft(flash)) ?? Math.max(0, expected(step.kind) - elapsed)
      start = 0
    } else {
      duration = expected(step.kind)
      start = Math.max(0, ...step.dependsOn.map((id) => finish.get(id) ?? 0))
    }
    for (const resource of step.resources) start = Math.max(start, resourceFree.get(resource) ?? 0)
    const done = start + duration
    finish.set(step.id, done)
    for (const resource of step.resources) resourceFree.set(resource, done)
    end = Math.max(end, done)
  }
  return end
}
