import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { nodePrepActions, prepPackages } from './k3s-node-prep.ts'

// A real sh runs these against a sandboxed node in tests/integration/k3s-node-commands.test.ts.
const node = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' }).nodes[1]!

describe('nodePrepActions', () => {
  it('loads the kernel modules before it starts iscsid', () => {
    expect(nodePrepActions(node).map((a) => a.id)).toEqual([
      'hostname',
      'packages',
      'kernel-modules',
      'iscsid',
      'multipathd',
    ])
  })

  it('installs parted only for a node with an NVMe drive', () => {
    expect(prepPackages(node)).toEqual(['open-iscsi', 'nfs-common', 'curl', 'parted'])
    expect(prepPackages({ ...node, nvme: undefined })).toEqual(['open-iscsi', 'nfs-common', 'curl'])
  })

  it('refuses a host name that is not a DNS label before building any command', () => {
    expect(() => nodePrepActions({ ...node, hostname: 'x/&;reboot' })).toThrow(/is not a host name/)
  })
})
