// The K3s bootstrap steps against sandboxed Armbian nodes (tests/support/sandbox-node-shells.ts):
// the steps' real commands run by a real sh, logins decided by the node's own files. A fresh node
// is taken from its first-boot password to the cluster's key, prepared once and skipped after; a
// drive holding data is erased only with the typed phrase; the server installs once, seals its
// token, and a resumed run finds it done; the agent joins with the sealed token; the kubeconfig is
// rewritten and sealed; a restore refuses a snapshot of the wrong kind or a missing original token
// before touching the node; and no secret reaches a log or an output.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { StepKind } from '../../src-shared/lifecycle/plan.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { fakeStepContext, type FakeStepContext } from '../../tests/support/fake-step-context.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import {
  armbianSandbox,
  k3sServerToken,
  nvmeUuid,
  SandboxShells,
  type ArmbianSandbox,
} from '../../tests/support/sandbox-node-shells.ts'
import type { NodeReadiness } from '../kube/kube-nodes.ts'
import { generateClusterKey } from '../ssh/cluster-key.ts'
import { k3sWaitReadyStep } from './k3s-kubeconfig-step.ts'
import { type K3sStepDependencies, type SshEndpoint } from './k3s-step-support.ts'
import { k3sSteps } from './k3s-steps.ts'

/** One server (turing-cp1, with NVMe) and one agent (turing-w1) of the template. */
function twoNodeProfile(): ClusterProfile {
  const profile = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
  return { ...profile, nodes: profile.nodes.slice(0, 2), timeouts: { bootSeconds: 10, readySeconds: 30 } }
}

const sandboxes: ArmbianSandbox[] = []
afterEach(() => sandboxes.splice(0).forEach((node) => node.remove()))

function setup(
  options: { drive?: 'blank' | 'data' | 'longhorn'; boardAddress?: string; keychain?: string } = {},
) {
  const profile = twoNodeProfile()
  const shells = new SandboxShells()
  const nodes = Object.fromEntries(
    profile.nodes.map((node) => {
      const sandbox = armbianSandbox(options.drive, 'https://127.0.0.1:41234')
      sandboxes.push(sandbox)
      return [node.hostname, shells.add(node.address, 22, sandbox)]
    }),
  ) as Record<string, ArmbianSandbox>
  const recorded = new Map<string, SshEndpoint>()
  const deps: K3sStepDependencies = {
    nodeShells: shells,
    boards: { get: async () => ({ address: options.boardAddress ?? 'https://10.10.88.10' }) },
    sshEndpoints: {
      find: (_profile, hostname) => recorded.get(hostname) ?? null,
      record: (_profile, node, endpoint) => void recorded.set(node.hostname, endpoint),
    },
    nodePassword: async () => options.keychain ?? null,
    generateKey: generateClusterKey,
    pollMs: 1,
  }
  const steps = k3sSteps(deps)
  /** The cluster's sealed files, carried from step to step as the cluster record keeps them. */
  const sealed: Record<string, string> = {}
  const logs: string[] = []
  const contextFor = <K extends StepKind>(stepId: string, kind: K, confirmations: string[] = []) =>
    fakeStepContext(profile, stepId, kind, { sealed, confirmations })
  /** Runs a step as the engine does: skipped when alreadyDone says so. */
  const run = async <K extends StepKind>(
    executor: {
      alreadyDone?: (c: FakeStepContext<K>) => Promise<unknown>
      run: (c: FakeStepContext<K>) => Promise<unknown>
    },
    context: FakeStepContext<K>,
  ) => {
    try {
      const skipped = await executor.alreadyDone?.(context)
      return {
        skipped: skipped !== null && skipped !== undefined,
        result: (skipped ?? (await executor.run(context))) as {
          message: string
          output?: Record<string, unknown>
        },
      }
    } finally {
      Object.assign(sealed, Object.fromEntries(context.files))
      logs.push(...context.lines)
    }
  }
  return { profile, shells, nodes, recorded, deps, steps, sealed, logs, contextFor, run }
}

const prepare = (hostname: string) => [`k3s:prepare:${hostname}`, 'k3s.prepare-node'] as const

describe('k3s.prepare-node', () => {
  it('takes a fresh node from its first-boot password to the cluster’s key, then finds it done', async () => {
    const t = setup()
    const node = t.nodes['turing-cp1']!
    const first = await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-cp1')))
    expect(first.skipped).toBe(false)
    expect(first.result.output).toEqual({ sshAddress: '10.10.88.73', sshPort: 22, nvmeUuid })
    expect(t.shells.logins).toEqual(['root@10.10.88.73:22 password'])
    expect(t.recorded.get('turing-cp1')).toEqual({ sshAddress: '10.10.88.73', sshPort: 22 })

    // The key made once and sealed; its public half is what the node now trusts.
    const privateKey = t.sealed[sealedNames.sshKey]!
    expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/)
    expect(node.read('root/.ssh/authorized_keys')).toMatch(/^ssh-ed25519 AAAA\S+ clusterdeck-lab\n$/)
    // No keychain password: one is made, sealed, set on stdin, and shown nowhere.
    const password = t.sealed[sealedNames.rootPassword]!
    expect(password).toMatch(/^[\w-]{24}$/)
    expect(node.read('state/chpasswd')).toBe(`root:${password}\n`)
    expect(node.read('root/.not_logged_in_yet')).toBe('')
    expect(node.read('etc/hostname')).toBe('turing-cp1\n')
    expect(node.read('state/timezone')).toBe('UTC\n')
    expect(node.read('etc/fstab')).toContain(
      `UUID=${nvmeUuid} /var/lib/longhorn ext4 defaults,nofail,noatime 0 2`,
    )
    expect(node.calls()).toContain(`mkfs.ext4 -F -L longhorn ${node.root}/dev/nvme0n1p1`)
    expect(t.logs.join('\n')).not.toContain(password)
    expect(JSON.stringify(first.result.output)).not.toContain(password)

    // Resumed: the key gets in, every check passes, nothing is applied.
    const before = node.commands.length
    const again = await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-cp1')))
    expect(again.skipped).toBe(true)
    expect(again.result.message).toMatch(/^turing-cp1 is prepared: the cluster’s key logs in/)
    expect(t.shells.logins.at(-1)).toBe('root@10.10.88.73:22 key')
    expect(
      node.commands.slice(before).some((c) => /chpasswd|apt-get .* install|mkfs|hostnamectl set/.test(c)),
    ).toBe(false)
    expect(t.shells.open_).toBe(0)
  })

  it('sets the root password saved in the keychain, and makes none', async () => {
    const t = setup({ keychain: 'my own root pw' })
    await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-w1')))
    expect(t.nodes['turing-w1']!.read('state/chpasswd')).toBe('root:my own root pw\n')
    expect(t.sealed[sealedNames.rootPassword]).toBeUndefined()
  })

  it('makes a non-root login user with sudo and the keys, and logs in as it afterwards', async () => {
    const t = setup({ keychain: 'admin pw 123' })
    t.profile.nodeAccess = { user: 'admin', timezone: 'Europe/Berlin', authorizedKeys: [] }
    const node = t.nodes['turing-w1']!
    await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-w1')))
    expect(t.shells.logins).toEqual(['root@10.10.88.74:22 password'])
    expect(node.calls()).toContain('useradd --create-home --shell /bin/bash --groups sudo admin')
    expect(node.read('state/chpasswd')).toBe('root:admin pw 123\nadmin:admin pw 123\n')
    expect(node.read('home/admin/.ssh/authorized_keys')).toBe(node.read('root/.ssh/authorized_keys'))
    const again = await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-w1')))
    expect(again.skipped).toBe(true)
    expect(t.shells.logins.at(-1)).toBe('admin@10.10.88.74:22 key')
  })

  it('stops before touching a node when a non-root login user has no saved password', async () => {
    const t = setup()
    t.profile.nodeAccess = { user: 'admin', timezone: 'UTC', authorizedKeys: [] }
    await expect(
      t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-w1'))),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      hint: 'Save it first (clusterdeck node password lab); the first login gives admin that password.',
    })
    expect(t.shells.logins).toEqual([])
  })

  it('makes one cluster key when every node is prepared at the same time', async () => {
    const t = setup()
    await Promise.all(
      t.profile.nodes.map((n) => t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare(n.hostname)))),
    )
    const keys = Object.values(t.nodes).map((n) => n.read('root/.ssh/authorized_keys'))
    expect(keys[0]).toBe(keys[1])
  })

  it('stops before erasing a drive that holds data, and erases it once the phrase is typed', async () => {
    const t = setup({ drive: 'data' })
    const node = t.nodes['turing-cp1']!
    const error = (await t
      .run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-cp1')))
      .catch((caught: unknown) => caught)) as AppError
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('confirmation_required')
    expect(error.details).toEqual({ phrase: 'erase /dev/nvme0n1 on turing-cp1' })
    expect(error.message).toBe(
      '/dev/nvme0n1 on turing-cp1 holds data (/dev/nvme0n1p1: part, 931.5G, ntfs "photos"): it is erased only after you type “erase /dev/nvme0n1 on turing-cp1”.',
    )
    expect(node.calls().some((c) => /^(wipefs|parted|mkfs)/.test(c))).toBe(false)

    // A phrase for another node or drive does not count.
    await expect(
      t.run(
        t.steps['k3s.prepare-node'],
        t.contextFor(...prepare('turing-cp1'), ['erase /dev/nvme0n1 on turing-w1']),
      ),
    ).rejects.toMatchObject({ code: 'confirmation_required' })

    const done = await t.run(
      t.steps['k3s.prepare-node'],
      t.contextFor(...prepare('turing-cp1'), ['erase /dev/nvme0n1 on turing-cp1']),
    )
    expect(done.result.output).toMatchObject({ nvmeUuid })
    expect(node.calls().filter((c) => /^(wipefs|parted|mkfs)/.test(c))).toEqual(
      [
        'wipefs -a /dev/nvme0n1p1',
        'wipefs -a /dev/nvme0n1',
        'parted -s /dev/nvme0n1 mklabel gpt mkpart longhorn ext4 0% 100%',
        'mkfs.ext4 -F -L longhorn /dev/nvme0n1p1',
      ].map((c) => c.replaceAll('/dev/', `${node.root}/dev/`)),
    )
  })

  it('keeps an earlier deploy’s Longhorn file system with its data', async () => {
    const t = setup({ drive: 'longhorn' })
    const done = await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-cp1')))
    expect(done.result.output).toMatchObject({ nvmeUuid })
    expect(t.nodes['turing-cp1']!.calls().some((c) => /^(wipefs|parted|mkfs)/.test(c))).toBe(false)
  })

  it('names the node when neither the key nor the first-boot password gets in', async () => {
    const t = setup()
    t.nodes['turing-cp1']!.write('state/chpasswd', 'root:someone-elses\n')
    await expect(
      t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare('turing-cp1'))),
    ).rejects.toMatchObject({
      code: 'ssh_auth_failed',
      message: expect.stringMatching(
        /^turing-cp1 takes neither the cluster’s SSH key nor the image’s first-boot password/,
      ),
    })
  })

  it('waits for a node whose SSH does not answer yet, and names it when it never does', async () => {
    const t = setup()
    let refusals = 2
    t.shells.beforeOpen = async ({ endpoint }) => {
      if (refusals-- > 0)
        throw new AppError('ssh_unreachable', `${endpoint.host}:${endpoint.port} refused the connection`)
    }
    const context = t.contextFor(...prepare('turing-cp1'))
    await t.run(t.steps['k3s.prepare-node'], context)
    expect(context.lines.filter((l) => /does not answer SSH yet/.test(l))).toHaveLength(2)

    const never = setup()
    never.profile.timeouts = { bootSeconds: 0.05, readySeconds: 30 } as typeof never.profile.timeouts
    never.shells.beforeOpen = async () => {
      throw new AppError('ssh_unreachable', '10.10.88.73:22 refused the connection')
    }
    await expect(
      never.run(never.steps['k3s.prepare-node'], never.contextFor(...prepare('turing-cp1'))),
    ).rejects.toMatchObject({ code: 'ssh_unreachable', message: '10.10.88.73:22 refused the connection' })
  })

  it('fails clearly in a core without the SSH service', async () => {
    const t = setup()
    const steps = k3sSteps({ ...t.deps, nodeShells: undefined })
    await expect(
      t.run(steps['k3s.prepare-node'], t.contextFor(...prepare('turing-cp1'))),
    ).rejects.toMatchObject({
      code: 'not_implemented',
      message: expect.stringMatching(
        /runs over SSH, and this Clusterdeck core was started without its SSH service/,
      ),
    })
  })

  it('reaches a virtual node where its boot wait found its SSH', async () => {
    const t = setup()
    t.shells.add('127.0.0.11', 2222, t.nodes['turing-cp1']!)
    t.shells.nodes.delete('10.10.88.73:22')
    const context = fakeStepContext(t.profile, ...prepare('turing-cp1'), {
      outputs: { 'boot:turing-cp1': { sshAddress: '127.0.0.11', sshPort: 2222 } },
    })
    const result = await t.run(t.steps['k3s.prepare-node'], context)
    expect(result.result.output).toMatchObject({ sshAddress: '127.0.0.11', sshPort: 2222 })
    expect(t.recorded.get('turing-cp1')).toEqual({ sshAddress: '127.0.0.11', sshPort: 2222 })
  })
})

describe('K3s server, agent, kubeconfig and readiness', () => {
  async function prepared(options: Parameters<typeof setup>[0] = {}) {
    const t = setup(options)
    for (const node of t.profile.nodes)
      await t.run(t.steps['k3s.prepare-node'], t.contextFor(...prepare(node.hostname)))
    return t
  }

  it('installs the server once and seals its token; a resumed run does not install it again', async () => {
    const t = await prepared()
    const server = t.nodes['turing-cp1']!
    const installed = await t.run(
      t.steps['k3s.install-server'],
      t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'),
    )
    expect(installed.skipped).toBe(false)
    expect(installed.result).toEqual({
      message: 'Installed K3s v1.36.4+k3s1 as the first server (k3s) on turing-cp1',
      output: { role: 'first-server', unit: 'k3s' },
    })
    expect(server.calls().filter((c) => c.startsWith('install.sh'))).toEqual([
      'install.sh server v1.36.4+k3s1',
    ])
    expect(server.calls()).toContain(
      'curl https://raw.githubusercontent.com/k3s-io/k3s/v1.36.4%2Bk3s1/install.sh',
    )
    expect(t.sealed[sealedNames.k3sToken]).toBe(k3sServerToken)
    expect(t.logs.join('\n')).not.toContain(k3sServerToken)

    // The run was killed while the agents joined; on resume the server's step finds its effect.
    const resumed = await t.run(
      t.steps['k3s.install-server'],
      t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'),
    )
    expect(resumed.skipped).toBe(true)
    expect(resumed.result.message).toBe('turing-cp1 runs K3s v1.36.4+k3s1 as the first server (k3s)')
    expect(server.calls().filter((c) => c.startsWith('install.sh'))).toHaveLength(1)

    // A changed profile (another service network) is not "done": config.yaml differs.
    t.profile.network.serviceCidr = '10.44.0.0/16'
    const changed = await t.steps['k3s.install-server'].alreadyDone!(
      t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'),
    )
    expect(changed).toBeNull()
  })

  it('joins the agent with the sealed token on stdin, then finds it joined', async () => {
    const t = await prepared()
    await t.run(t.steps['k3s.install-server'], t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'))
    const agent = t.nodes['turing-w1']!
    const joined = await t.run(
      t.steps['k3s.install-agent'],
      t.contextFor('k3s:join:turing-w1', 'k3s.install-agent'),
    )
    expect(joined.result.message).toBe('Installed K3s v1.36.4+k3s1 as an agent (k3s-agent) on turing-w1')
    expect(agent.read('etc/rancher/k3s/cluster-token')).toBe(`${k3sServerToken}\n`)
    expect(agent.calls()).toContain('install.sh agent v1.36.4+k3s1')
    expect(agent.commands.some((c) => c.includes(k3sServerToken))).toBe(false)
    expect(t.logs.join('\n')).not.toContain(k3sServerToken)
    const again = await t.run(
      t.steps['k3s.install-agent'],
      t.contextFor('k3s:join:turing-w1', 'k3s.install-agent'),
    )
    expect(again.skipped).toBe(true)
  })

  it('fails the join with K3s’s reason from the journal, and joins on a retry once it can', async () => {
    const t = await prepared()
    await t.run(t.steps['k3s.install-server'], t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'))
    const agent = t.nodes['turing-w1']!
    const refused =
      'level=error msg="failed to get CA certs: Get \\"https://10.10.88.73:6443/cacerts\\": dial tcp 10.10.88.73:6443: connect: connection refused"'
    agent.write('state/failing/k3s-agent', `Starting k3s agent\n${refused}\n`)
    const join = () =>
      t.run(t.steps['k3s.install-agent'], t.contextFor('k3s:join:turing-w1', 'k3s.install-agent'))
    await expect(join()).rejects.toMatchObject({
      code: 'tool_failed',
      message: `K3s (k3s-agent) on turing-w1 could not join the cluster: the unit is failed (failed); its journal says: ${refused}.`,
      hint: expect.stringContaining('clusterdeck node exec lab turing-w1 -- journalctl -u k3s-agent'),
    })
    expect(agent.calls()).toContain('install.sh agent v1.36.4+k3s1')

    // The server answers again: the retry installs nothing, starts the unit again and waits for it.
    agent.run({ command: 'rm "$ROOT/state/failing/k3s-agent"' })
    const restarts = () => agent.calls().filter((c) => c === 'systemctl restart --no-block k3s-agent').length
    expect(restarts()).toBe(1)
    const retried = await join()
    expect(retried.skipped).toBe(false)
    expect(retried.result.message).toBe(
      'Already in place: K3s v1.36.4+k3s1 as an agent (k3s-agent) on turing-w1',
    )
    expect(agent.calls().filter((c) => c.startsWith('install.sh'))).toHaveLength(1)
    expect(restarts()).toBe(2)
    expect((await join()).skipped).toBe(true)
  })

  it('fails a join whose K3s does not come up in time, naming what the unit does', async () => {
    const t = await prepared()
    await t.run(t.steps['k3s.install-server'], t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'))
    const agent = t.nodes['turing-w1']!
    // Still trying to reach the server: systemd keeps the unit activating.
    agent.installTool(
      'systemctl',
      'echo "systemctl $*" >> "$ROOT/calls"; case "$1" in show) printf "ActiveState=activating\\nSubState=start\\nNRestarts=0\\n" ;; is-enabled) test -e "$ROOT/state/enabled/k3s-agent" ;; is-active) exit 3 ;; esac; exit 0',
    )
    t.profile.timeouts.bootSeconds = 0
    await expect(
      t.run(t.steps['k3s.install-agent'], t.contextFor('k3s:join:turing-w1', 'k3s.install-agent')),
    ).rejects.toMatchObject({
      code: 'timeout',
      message: 'K3s (k3s-agent) on turing-w1 did not come up within 0 s (activating (start)).',
    })
  })

  it('restores nothing from a snapshot of another kind, or without the cluster’s original token', async () => {
    const t = await prepared()
    const server = t.nodes['turing-cp1']!
    const dir = makeTempDir()
    try {
      const restoreFrom = (file: string) =>
        fakeStepContext(t.profile, 'k3s:server:turing-cp1', 'k3s.install-server', {
          sealed: t.sealed,
          operation: 'restore',
          operationOptions: { restoreSnapshot: file },
        })
      const body = Buffer.from('bbolt pages')
      const etcd = join(dir.path, 'lab-etcd.snapshot')
      writeFileSync(etcd, Buffer.concat([body, createHash('sha256').update(body).digest()]))
      const sqlite = join(dir.path, 'state.db')
      writeFileSync(sqlite, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(100)]))
      const before = server.commands.length
      const step = t.steps['k3s.install-server']

      // One server keeps its datastore in SQLite: an etcd snapshot is refused before any command.
      const wrongKind = restoreFrom(etcd)
      expect(wrongKind.step.title).toBe(
        'Install the K3s server on turing-cp1, restored from the snapshot lab-etcd.snapshot',
      )
      expect(await step.alreadyDone!(wrongKind)).toBeNull()
      await expect(step.run(wrongKind)).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(
          /^The snapshot .*lab-etcd\.snapshot is an etcd snapshot, and this cluster keeps its datastore in SQLite .*; nothing was restored on turing-cp1\.$/,
        ),
      })
      await expect(step.run(restoreFrom(join(dir.path, 'missing')))).rejects.toThrow(
        /cannot be read \(ENOENT\)/,
      )
      // The right kind, but no token sealed (a destroy forgot it): the export has it.
      await expect(step.run(restoreFrom(sqlite))).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringMatching(
          /needs the cluster's original K3s token .* none is sealed \(k3s-token\)/,
        ),
        hint: expect.stringMatching(/--secrets FILE --passphrase-stdin/),
      })
      expect(server.commands.length).toBe(before)
    } finally {
      dir.remove()
    }
  })

  it('an agent without the server’s sealed token says which step makes it', async () => {
    const t = await prepared()
    await expect(
      t.run(t.steps['k3s.install-agent'], t.contextFor('k3s:join:turing-w1', 'k3s.install-agent')),
    ).rejects.toMatchObject({
      code: 'not_found',
      hint: expect.stringMatching(/"Install the K3s server" step/),
    })
  })

  it('seals the kubeconfig named after the cluster, at the API endpoint on a real board', async () => {
    const t = await prepared()
    await t.run(t.steps['k3s.install-server'], t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'))
    const exported = await t.run(
      t.steps['k3s.export-kubeconfig'],
      t.contextFor('k3s:kubeconfig', 'k3s.export-kubeconfig'),
    )
    expect(exported.result.output).toEqual({ server: 'https://10.10.88.73:6443', context: 'lab' })
    const kubeconfig = parse(t.sealed[sealedNames.kubeconfig]!)
    expect(kubeconfig).toMatchObject({
      'current-context': 'lab',
      clusters: [{ name: 'lab', cluster: { server: 'https://10.10.88.73:6443' } }],
      users: [{ name: 'lab', user: { 'client-key-data': 'c2FuZGJveC1jbGllbnQta2V5LWRhdGE=' } }],
    })
    expect(t.logs.join('\n')).not.toContain('c2FuZGJveC1jbGllbnQta2V5LWRhdGE=')
  })

  it('keeps the server a virtual node’s kubeconfig names on a loopback board', async () => {
    const t = await prepared({ boardAddress: 'https://127.0.0.1:8443' })
    await t.run(t.steps['k3s.install-server'], t.contextFor('k3s:server:turing-cp1', 'k3s.install-server'))
    const exported = await t.run(
      t.steps['k3s.export-kubeconfig'],
      t.contextFor('k3s:kubeconfig', 'k3s.export-kubeconfig'),
    )
    expect(exported.result.output).toEqual({ server: 'https://127.0.0.1:41234', context: 'lab' })
  })

  it('waits until every node of the profile is Ready, naming those that are not', async () => {
    const t = setup()
    t.sealed[sealedNames.kubeconfig] = 'apiVersion: v1\nkind: Config\n'
    let looks = 0
    const readiness = (): NodeReadiness[] =>
      ++looks < 3
        ? [{ name: 'turing-cp1', ready: true, reason: '' }]
        : t.profile.nodes.map((n) => ({ name: n.hostname, ready: true, reason: '' }))
    const step = k3sWaitReadyStep({ listNodeReadiness: async () => readiness(), pollMs: 1 })
    const context = t.contextFor('cluster:nodes-ready', 'cluster.wait-ready')
    expect(await step.run(context)).toEqual({ message: 'All 2 nodes are Ready in Kubernetes' })
    expect(context.lines[0]).toBe('Not ready yet: turing-w1 is not a Kubernetes node yet')

    const impatient = k3sWaitReadyStep({ listNodeReadiness: async () => [], pollMs: 1, readyTimeoutMs: 5 })
    await expect(
      impatient.run(t.contextFor('cluster:nodes-ready', 'cluster.wait-ready')),
    ).rejects.toMatchObject({
      code: 'timeout',
      message:
        'The cluster was not ready within 0 s: turing-cp1 is not a Kubernetes node yet; turing-w1 is not a Kubernetes node yet.',
      hint: expect.stringContaining('clusterdeck node exec lab NODE -- journalctl -u k3s-agent'),
    })
  })
})
