import { afterEach, describe, expect, it } from 'vitest'
import { sandboxNode, type SandboxNode } from '../../tests/support/sandbox-node.ts'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { nodePrepActions } from './k3s-node-prep.ts'
import type { NodeAction } from './remote-command.ts'

const node = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' }).nodes[1]!
let sandbox: SandboxNode

afterEach(() => sandbox.remove())

/** What the step runner does: apply only where the check fails, then require the check to pass. */
function converge(actions: NodeAction[]): string[] {
  const applied: string[] = []
  for (const action of actions) {
    if (sandbox.run(action.check) === 0) continue
    for (const command of action.apply) expect(sandbox.run(command), command.command).toBe(0)
    expect(sandbox.run(action.check), `${action.id} check after apply`).toBe(0)
    applied.push(action.id)
  }
  return applied
}

/** A freshly flashed Armbian node: its image's host name, a 127.0.1.1 line, nothing installed. */
function freshArmbian(): SandboxNode {
  const node = sandboxNode()
  node.write('etc/hostname', 'turing-rk1\n')
  node.write('etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tturing-rk1\n::1\tlocalhost\n')
  return node
}

describe('node preparation', () => {
  it('brings a fresh node to the wanted state, then finds nothing left to do', () => {
    sandbox = freshArmbian()
    expect(converge(nodePrepActions(node))).toEqual(['hostname', 'packages', 'kernel-modules', 'iscsid'])
    expect(sandbox.read('etc/hostname')).toBe('turing-w1\n')
    expect(sandbox.read('etc/hosts')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tturing-w1\n::1\tlocalhost\n')
    expect(sandbox.read('etc/modules-load.d/clusterdeck-longhorn.conf')).toBe('iscsi_tcp\ndm_crypt\n')
    const apt = sandbox.calls().filter((c) => c.startsWith('apt-get'))
    expect(apt.at(-1)).toMatch(/install --no-install-recommends open-iscsi nfs-common curl parted$/)
    expect(apt.every((c) => c.includes('--force-confold'))).toBe(true)
    // The modules are loaded before iscsid is started.
    const calls = sandbox.calls()
    expect(calls.indexOf('modprobe iscsi_tcp')).toBeLessThan(calls.indexOf('systemctl enable --now iscsid'))

    // Resuming: every check passes, nothing runs again.
    const before = sandbox.calls().length
    expect(converge(nodePrepActions(node))).toEqual([])
    expect(
      sandbox
        .calls()
        .slice(before)
        .some((c) => /apt-get|modprobe|enable --now|set-hostname/.test(c)),
    ).toBe(false)
  })

  it('adds the 127.0.1.1 line where the image has none', () => {
    sandbox = freshArmbian()
    sandbox.write('etc/hosts', '127.0.0.1\tlocalhost\n')
    converge(nodePrepActions(node))
    expect(sandbox.read('etc/hosts')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tturing-w1\n')
  })

  it('does not take a longer host name for its own (turing-w10 is not turing-w1)', () => {
    sandbox = freshArmbian()
    sandbox.write('etc/hostname', 'turing-w1\n')
    sandbox.write('etc/hosts', '127.0.1.1\tturing-w10\n')
    const hostname = nodePrepActions(node).find((a) => a.id === 'hostname')!
    expect(sandbox.run(hostname.check)).not.toBe(0)
  })

  it('blacklists sd devices for multipathd only where multipath-tools is installed, once', () => {
    sandbox = freshArmbian()
    sandbox.installTool('multipathd', 'exit 0')
    sandbox.write('etc/multipath.conf', 'defaults {\n    user_friendly_names yes\n}\n')
    expect(converge(nodePrepActions(node))).toContain('multipathd')
    expect(sandbox.read('etc/multipath.conf')).toBe(
      'defaults {\n    user_friendly_names yes\n}\nblacklist {\n    devnode "^sd[a-z0-9]+"\n}\n',
    )
    expect(sandbox.calls()).toContain('systemctl try-restart multipathd')
    expect(converge(nodePrepActions(node))).toEqual([])
  })

  it('leaves out parted on a node without an NVMe drive', () => {
    sandbox = freshArmbian()
    converge(nodePrepActions({ ...node, nvme: undefined }))
    expect(sandbox.calls().filter((c) => c.includes(' install '))[0]).toMatch(/open-iscsi nfs-common curl$/)
  })
})
