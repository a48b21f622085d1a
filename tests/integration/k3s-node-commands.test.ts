// The K3s steps' shell commands (src-shared/k3s) run by a real POSIX sh against a sandboxed node
// (tests/support/sandbox-node.ts): values that try to break out of their quotes stay data, files
// are written from stdin with their mode, node preparation converges and then finds nothing to
// do, and the NVMe fstab stage leaves a backup and plans "done" afterwards.
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { firstLoginActions } from '../../src-shared/k3s/first-login.ts'
import { k3sNodeInstall } from '../../src-shared/k3s/k3s-install.ts'
import { nodePrepActions } from '../../src-shared/k3s/k3s-node-prep.ts'
import {
  sameFileCheck,
  shellQuote,
  writeFileCommand,
  type NodeAction,
  type RemoteCommand,
} from '../../src-shared/k3s/remote-command.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { lsblk, mountPoint, plan, rootFstab, uuid } from '../support/lsblk-output.ts'
import { sandboxNode, type SandboxNode } from '../support/sandbox-node.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const sandboxes: SandboxNode[] = []
afterEach(() => sandboxes.splice(0).forEach((s) => s.remove()))
const track = (node: SandboxNode) => (sandboxes.push(node), node)

/** Runs a command as the SSH layer will, through a real POSIX sh; returns stdout and exit status. */
function sh({ command, stdin }: RemoteCommand): { out: string; status: number } {
  try {
    const out = execFileSync('sh', ['-c', command], { input: stdin ?? '', encoding: 'utf8' })
    return { out, status: 0 }
  } catch (error) {
    return { out: '', status: (error as { status: number }).status }
  }
}

const hostile = [
  '',
  'plain',
  "it's",
  "''",
  '$(touch /tmp/pwned)',
  '`id`',
  '"; rm -rf / #',
  'a\nb\r\nc',
  '\\',
  '-n',
  '*',
  '~root',
  '!event',
  'tab\there',
  '${HOME}',
  "'$(id)'",
  'ünïcødé ✓',
]

describe('shellQuote', () => {
  it.each(hostile)('passes %j to a real sh as exactly one unchanged word', (value) => {
    const { out } = sh({ command: `printf '%s|' ${shellQuote(value)}` })
    expect(out).toBe(`${value}|`)
  })
})

describe('writeFileCommand and sameFileCheck', () => {
  it('writes stdin with the mode, and the check then finds the same content', () => {
    const temp = makeTempDir('k3s-remote-')
    onTestFinished(temp.remove)
    const dir = temp.path
    const path = join(dir, "sub dir/it's.conf")
    const content = 'token: $(id)\nline two\n'
    expect(sh(sameFileCheck(path, content)).status).not.toBe(0)
    const write = writeFileCommand(path, content, { mode: 0o600, secret: true })
    expect(write.command).not.toContain('$(id)')
    expect(write.secretStdin).toBe(true)
    expect(sh(write).status).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe(content)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    // The private umask applies to the file only, not to the directory made for it.
    expect(statSync(join(dir, 'sub dir')).mode & 0o055).toBe(0o055)
    expect(sh(sameFileCheck(path, content)).status).toBe(0)
    expect(sh(sameFileCheck(path, `${content}x`)).status).not.toBe(0)
  })
})

const node = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' }).nodes[1]!

/** What the step runner does: apply only where the check fails, then require the check to pass. */
function converge(sandbox: SandboxNode, actions: NodeAction[]): string[] {
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
  const fresh = sandboxNode()
  fresh.write('etc/hostname', 'turing-rk1\n')
  fresh.write('etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tturing-rk1\n::1\tlocalhost\n')
  return fresh
}

describe('node preparation', () => {
  it('brings a fresh node to the wanted state, then finds nothing left to do', () => {
    const sandbox = track(freshArmbian())
    expect(converge(sandbox, nodePrepActions(node))).toEqual([
      'hostname',
      'packages',
      'kernel-modules',
      'iscsid',
    ])
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
    expect(converge(sandbox, nodePrepActions(node))).toEqual([])
    expect(
      sandbox
        .calls()
        .slice(before)
        .some((c) => /apt-get|modprobe|enable --now|set-hostname/.test(c)),
    ).toBe(false)
  })

  it('adds the 127.0.1.1 line where the image has none', () => {
    const sandbox = track(freshArmbian())
    sandbox.write('etc/hosts', '127.0.0.1\tlocalhost\n')
    converge(sandbox, nodePrepActions(node))
    expect(sandbox.read('etc/hosts')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tturing-w1\n')
  })

  it('does not take a longer host name for its own (turing-w10 is not turing-w1)', () => {
    const sandbox = track(freshArmbian())
    sandbox.write('etc/hostname', 'turing-w1\n')
    sandbox.write('etc/hosts', '127.0.1.1\tturing-w10\n')
    const hostname = nodePrepActions(node).find((a) => a.id === 'hostname')!
    expect(sandbox.run(hostname.check)).not.toBe(0)
  })

  it('blacklists sd devices for multipathd only where multipath-tools is installed, once', () => {
    const sandbox = track(freshArmbian())
    sandbox.installTool('multipathd', 'exit 0')
    sandbox.write('etc/multipath.conf', 'defaults {\n    user_friendly_names yes\n}\n')
    expect(converge(sandbox, nodePrepActions(node))).toContain('multipathd')
    expect(sandbox.read('etc/multipath.conf')).toBe(
      'defaults {\n    user_friendly_names yes\n}\nblacklist {\n    devnode "^sd[a-z0-9]+"\n}\n',
    )
    expect(sandbox.calls()).toContain('systemctl try-restart multipathd')
    expect(converge(sandbox, nodePrepActions(node))).toEqual([])
  })

  it('leaves out parted on a node without an NVMe drive', () => {
    const sandbox = track(freshArmbian())
    converge(sandbox, nodePrepActions({ ...node, nvme: undefined }))
    expect(sandbox.calls().filter((c) => c.includes(' install '))[0]).toMatch(/open-iscsi nfs-common curl$/)
  })
})

describe('the fstab stage on a sandboxed node', () => {
  it('writes fstab with a backup, and planning again finds it done once mounted', () => {
    const sandbox = track(sandboxNode())
    sandbox.write('etc/fstab', rootFstab)
    sandbox.installTool('mount', 'echo "mount $*" >> "$ROOT/calls"')
    const text = lsblk([{ fstype: 'ext4', label: 'longhorn', uuid }])
    const p = plan(text, { fstab: sandbox.read('etc/fstab') })
    for (const command of 'commands' in p ? p.commands : [])
      expect(sandbox.run(command), command.command).toBe(0)
    expect(sandbox.read('etc/fstab.clusterdeck-backup')).toBe(rootFstab)
    expect(sandbox.calls()).toContain('systemctl daemon-reload')
    const mounted = lsblk([{ fstype: 'ext4', label: 'longhorn', uuid, mountpoints: [mountPoint] }])
    expect(plan(mounted, { fstab: sandbox.read('etc/fstab') })).toEqual({ kind: 'done', uuid })
  })
})

describe('the first SSH login on a sandboxed node', () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9mY2x1c3RlcmRlY2t0ZXN0a2V5MDEyMzQ1Njc4OQ clusterdeck@lab'
  const preset = { timezone: 'Europe/Berlin', rootPassword: "p4ss'word $(reboot)" }

  it('adds the key once, sets time zone and password, removes the preset, then has nothing to do', () => {
    const sandbox = track(freshArmbian())
    sandbox.write('root/.not_logged_in_yet', 'PRESET_ROOT_PASSWORD="…"\n')
    sandbox.write('root/.ssh/authorized_keys', 'ssh-rsa AAAAB3Nza old@laptop\n')
    sandbox.write('state/timezone', 'Etc/UTC\n')
    expect(converge(sandbox, firstLoginActions(preset, [key]))).toEqual([
      'ssh-key-1',
      'timezone',
      'root-password',
    ])
    expect(sandbox.read('root/.ssh/authorized_keys')).toBe(`ssh-rsa AAAAB3Nza old@laptop\n${key}\n`)
    expect(sandbox.read('state/timezone')).toBe('Europe/Berlin\n')
    expect(sandbox.read('state/chpasswd')).toBe("root:p4ss'word $(reboot)\n")
    expect(sandbox.read('root/.not_logged_in_yet')).toBe('')
    expect(converge(sandbox, firstLoginActions(preset, [key]))).toEqual([])
    expect(sandbox.calls().filter((c) => c === 'chpasswd')).toHaveLength(1)
  })

  it('keeps the password of a person who already went through the wizard at the console', () => {
    const sandbox = track(freshArmbian())
    sandbox.write('state/timezone', 'Europe/Berlin\n')
    expect(converge(sandbox, firstLoginActions(preset, [key]))).toEqual(['ssh-key-1'])
    expect(sandbox.calls()).not.toContain('chpasswd')
  })
})

describe('the K3s install checks on a sandboxed node', () => {
  const profile = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' })
  const token = `K10${'ab'.repeat(32)}::server:s3cr3t`

  it('finds a joined agent done, and not done once the token or the profile changes', () => {
    const sandbox = track(freshArmbian())
    sandbox.installTool('k3s', 'echo "k3s version v1.36.4+k3s1 (0123abcd)"; echo "go version go1.25"')
    const install = k3sNodeInstall(profile, 'turing-w1', { token })
    const [tokenAction, installAction] = install.actions
    expect(sandbox.run(tokenAction!.check)).not.toBe(0)
    expect(sandbox.run(tokenAction!.apply[0]!)).toBe(0)
    expect(sandbox.read('etc/rancher/k3s/cluster-token')).toBe(`${token}\n`)
    expect(sandbox.run(tokenAction!.check)).toBe(0)

    // What install.sh leaves behind: config.yaml as written, the unit enabled.
    expect(sandbox.run(installAction!.check)).not.toBe(0)
    expect(sandbox.run(installAction!.apply[0]!)).toBe(0)
    sandbox.write('state/enabled/k3s-agent', '')
    expect(sandbox.run(installAction!.check)).toBe(0)

    const other = k3sNodeInstall(profile, 'turing-w1', { token: token.replace('s3cr3t', 'n3w') })
    expect(sandbox.run(other.actions[0]!.check)).not.toBe(0)
    const moved = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' })
    moved.nodes[1]!.address = '10.10.88.99'
    expect(sandbox.run(k3sNodeInstall(moved, 'turing-w1', { token }).actions[1]!.check)).not.toBe(0)
    sandbox.installTool('k3s', 'echo "k3s version v1.35.2+k3s1 (0123abcd)"')
    expect(sandbox.run(installAction!.check)).not.toBe(0)
  })
})
