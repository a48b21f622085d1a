import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { compileDestroy } from './compile-operations.ts'
import { planSchema } from './plan.ts'

describe('compileDestroy with wipeEmmc', () => {
  it('names the eMMC in every K3s reset it wipes, after K3s and the NVMe', () => {
    const profile = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
    const plan = compileDestroy(profile, { keepAddons: true, wipeNvme: true, wipeEmmc: true })
    const resets = plan.steps.filter((s) => s.kind === 'node.reset')
    expect(resets.length).toBe(profile.nodes.length)
    for (const reset of resets) {
      expect(reset.title).toMatch(/: wipe K3s, NVMe \/dev\/nvme0n1, eMMC \(boot device\)$/)
      expect(reset.params).toMatchObject({ bootDevice: true })
    }
    expect(plan.options).toMatchObject({ wipeEmmc: true })
    expect(planSchema.parse(plan)).toEqual(plan)
    // Without the option the plan says nothing of the eMMC and asks nothing of it.
    const plain = compileDestroy(profile, { keepAddons: true })
    for (const reset of plain.steps.filter((s) => s.kind === 'node.reset')) {
      expect(reset.title).not.toMatch(/eMMC/)
      expect(reset.params).not.toHaveProperty('bootDevice')
    }
  })

  it('refuses it for a Talos cluster, whose reset wipes its system partitions already', () => {
    const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
    expect(() => compileDestroy(profile, { wipeEmmc: true })).toThrow(
      /"lab" is a Talos cluster: its destroy already wipes the STATE and EPHEMERAL partitions/,
    )
  })
})
