// Virtual Armbian nodes (src-main/virtual-armbian) on a virtual board, driven by the app's own SSH
// client and the K3s steps' real actions (src-shared/k3s): the console names the SSH endpoint
// before the login prompt; the first login with the image's password, node preparation, the NVMe
// drive and the K3s server and agent installs each converge and then find nothing to do; a wrong
// join token leaves the agent's unit failed; reboots keep the node's state and a reflash gives it
// a new host key. No loopback cluster here: `k3s kubectl` says there is no API behind the node.
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstLoginActions } from '../../src-shared/k3s/first-login.ts'
import { k3sNodeInstall, parseK3sToken, readServerTokenCommand } from '../../src-shared/k3s/k3s-install.ts'
import { getNodesCommand } from '../../src-shared/k3s/k3s-kubeconfig.ts'
import { nodePrepActions } from '../../src-shared/k3s/k3s-node-prep.ts'
import { lsblkCommand, parseLsblk, planNvme } from '../../src-shared/k3s/nvme-disk.ts'
import { parseVirtualSshLine } from '../../src-shared/k3s/ssh-endpoint.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { generateClusterKey } from '../../src-main/ssh/cluster-key.ts'
import { connectSsh, type SshAuth, type SshConnection } from '../../src-main/ssh/ssh-connection.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { rejection } from '../support/app-error.ts'
import { closeAll, startBoard, waitFor } from '../support/virtual-bmc.ts'
import {
  converge,
  flashArmbian,
  memoryHostKeys,
  powerOnArmbian,
  run,
  waitForArmbianBoot,
} from '../support/virtual-armbian.ts'
import { api, login } from './virtual-board-helpers.ts'

const clusterKey = generateClusterKey('clusterdeck@lab')
const rootPassword = 'n3w-r00t pass'

describe('virtual Armbian nodes', () => {
  let board: VirtualBoard
  let token: string
  const endpoints: { host: string; port: number }[] = []
  const hostKeys = memoryHostKeys()
  const open: SshConnection[] = []
  let profile: ClusterProfile

  const connect = async (index: number, auth: SshAuth, user = 'root') => {
    const connection = await connectSsh({
      target: { host: endpoints[index]!.host, port: endpoints[index]!.port, user },
      auth: { agentSocket: undefined, ...auth },
      hostKeys,
      connectTimeoutMs: 10_000,
    })
    open.push(connection)
    return connection
  }
  const asRoot = (index: number) => connect(index, { privateKeys: [clusterKey.privateKey] })
  const sh = async (connection: SshConnection, command: string) =>
    connection.exec(command, { timeoutMs: 30_000 })

  beforeAll(async () => {
    board = await startBoard({ firmware: '2.1' })
    token = await login(board)
    for (const index of [0, 1, 2]) {
      await flashArmbian(board, token, index)
      endpoints.push(await powerOnArmbian(board, token, index))
    }
    const base = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' })
    // The profile's nodes at the virtual nodes' addresses, as a deploy on a loopback board has them.
    profile = {
      ...base,
      nodes: base.nodes.map((node, i) => ({ ...node, address: endpoints[i]?.host ?? node.address })),
    }
  })

  afterAll(async () => {
    for (const connection of open) connection.close()
    await closeAll()
  })

  it('prints its SSH endpoint after the kernel log, then the login prompt, and serves SSH there', async () => {
    const text = board.state.uartText(0)
    const node = board.armbian.node(0)!
    expect(parseVirtualSshLine(text)).toEqual({ host: node.address, port: 2222 })
    expect(node.address).toMatch(/^127\.0\.0\.\d+$/)
    expect(new Set(endpoints.map((e) => e.host)).size).toBe(3)
    const line = text.indexOf(`clusterdeck virtual node: SSH at ${node.address} port 2222\r\n`)
    expect(line).toBeGreaterThan(text.indexOf('Starting kernel'))
    expect(text.slice(line)).toMatch(/\r\n\r\nArmbian 25\.8\.1 trixie ttyS2\r\n\r\nrk1 login: $/)

    const first = await connect(0, { password: '1234' })
    expect(first.hostKey).toEqual({ algorithm: 'ssh-ed25519', fingerprint: node.hostKeyFingerprint })
    expect(await sh(first, 'whoami && id -u')).toEqual({ exitCode: 0, stdout: 'root\n0\n', stderr: '' })
    expect((await sh(first, 'cat /etc/os-release')).stdout).toMatch(/VERSION_CODENAME=trixie/)
    expect((await sh(first, 'test -e /root/.not_logged_in_yet')).exitCode).toBe(0)
    expect(await sh(first, 'k3s --version')).toMatchObject({
      exitCode: 127,
      stderr: 'sh: 1: k3s: not found\n',
    })
    expect(await sh(first, 'frobnicate --now')).toMatchObject({
      exitCode: 127,
      stderr: 'sh: 1: frobnicate: not found\n',
    })
    expect(await sh(first, 'echo out; echo err >&2; exit 7')).toEqual({
      exitCode: 7,
      stdout: 'out\n',
      stderr: 'err\n',
    })
    const wrong = await rejection(connect(1, { password: 'turing' }))
    expect(wrong.code).toBe('ssh_auth_failed')
  })

  it('takes the first login: keys, time zone, root password; then the image password no longer gets in', async () => {
    for (const index of [0, 1, 2]) {
      const first = await connect(index, { password: '1234' })
      const actions = firstLoginActions({ timezone: 'Europe/Berlin', rootPassword }, [clusterKey.publicKey])
      expect(await converge(first, actions)).toEqual(['ssh-key-1', 'timezone', 'root-password'])
      expect(await converge(first, actions)).toEqual([])
      first.close()
    }
    expect((await rejection(connect(0, { password: '1234' }))).code).toBe('ssh_auth_failed')
    expect(
      await sh(await connect(0, { password: rootPassword }), 'timedatectl show -p Timezone --value'),
    ).toMatchObject({
      stdout: 'Europe/Berlin\n',
    })
    const node = board.armbian.node(0)!
    expect(await node.read('/root/.not_logged_in_yet')).toBeUndefined()
    expect(await node.read('/root/.ssh/authorized_keys')).toBe(`${clusterKey.publicKey}\n`)
  })

  it('prepares the node for K3s and Longhorn, and a second run finds nothing to do', async () => {
    const root = await asRoot(0)
    const node = { ...profile.nodes[0]!, hostname: 'k3s-cp1' }
    expect(await converge(root, nodePrepActions(node))).toEqual([
      'hostname',
      'packages',
      'kernel-modules',
      'iscsid',
    ])
    expect(await converge(root, nodePrepActions(node))).toEqual([])
    const state = board.armbian.node(0)!
    expect(await state.read('/etc/hostname')).toBe('k3s-cp1\n')
    expect(await state.read('/etc/hosts')).toMatch(/^127\.0\.1\.1\tk3s-cp1$/m)
    expect(await state.packages()).toEqual(
      expect.arrayContaining(['open-iscsi', 'nfs-common', 'curl', 'parted']),
    )
    expect((await state.units()).active).toContain('iscsid')
    expect((await state.units()).enabled).toContain('iscsid')
    expect((await sh(root, 'lsmod')).stdout).toMatch(/^iscsi_tcp /m)
    for (const index of [1, 2]) {
      const agent = await asRoot(index)
      await converge(agent, nodePrepActions({ ...profile.nodes[index]!, hostname: `k3s-w${index}` }))
    }
  })

  it('formats a blank NVMe drive, mounts it through the fstab, and keeps a foreign one until confirmed', async () => {
    const root = await asRoot(0)
    const device = '/dev/nvme0n1'
    const mountPoint = '/var/lib/longhorn'
    const plan = async () =>
      planNvme({
        hostname: 'k3s-cp1',
        device,
        mountPoint,
        disk: parseLsblk((await run(root, lsblkCommand(device))).stdout, device),
        fstab: (await sh(root, 'cat /etc/fstab')).stdout,
      })
    const stages: string[] = []
    for (let step = 0; step < 4; step++) {
      const next = await plan()
      stages.push(next.kind)
      if (next.kind === 'done' || next.kind === 'needs-confirmation') break
      for (const command of next.commands)
        expect((await run(root, command)).exitCode, command.command).toBe(0)
    }
    expect(stages).toEqual(['format', 'mount', 'done'])
    expect((await sh(root, `findmnt -n -o SOURCE ${mountPoint}`)).stdout).toBe(`${device}p1\n`)
    expect(await board.armbian.node(0)!.read('/etc/fstab.clusterdeck-backup')).toMatch(/ \/ ext4 /)

    board.armbian.node(2)!.setNvme({ partitions: [{ fstype: 'ntfs', label: 'photos' }] })
    const other = await asRoot(2)
    const disk = parseLsblk((await run(other, lsblkCommand(device))).stdout, device)
    expect(planNvme({ hostname: 'k3s-w2', device, mountPoint, disk, fstab: '' })).toMatchObject({
      kind: 'needs-confirmation',
      holds: [expect.stringMatching(/^\/dev\/nvme0n1p1: part, .*, ntfs "photos"$/)],
    })
  })

  it('installs the K3s server, then an agent joins with its token; a wrong token leaves the agent failed', async () => {
    const server = await asRoot(0)
    const serverInstall = k3sNodeInstall(profile, 'turing-cp1')
    expect(await converge(server, serverInstall.actions)).toEqual(['k3s-install'])
    expect(await converge(server, serverInstall.actions)).toEqual([])
    expect(await sh(server, 'systemctl is-active k3s')).toMatchObject({ exitCode: 0, stdout: 'active\n' })
    expect((await sh(server, 'k3s --version')).stdout).toMatch(
      /^k3s version v1\.36\.4\+k3s1 \([0-9a-f]{8}\)\n/,
    )
    const joinToken = parseK3sToken((await run(server, readServerTokenCommand)).stdout)
    expect(joinToken).toMatch(/^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/)
    expect(await run(server, getNodesCommand)).toMatchObject({
      exitCode: 1,
      stderr: expect.stringContaining('no Kubernetes API behind this virtual node (npm run virtual-cluster'),
    })

    const agent = await asRoot(1)
    const agentInstall = k3sNodeInstall(profile, 'turing-w1', { token: joinToken })
    expect(await converge(agent, agentInstall.actions)).toEqual(['k3s-token', 'k3s-install'])
    expect(await converge(agent, agentInstall.actions)).toEqual([])
    await waitFor(async () => (await sh(agent, 'systemctl is-active k3s-agent')).exitCode === 0)
    expect(await board.armbian.node(1)!.units()).toMatchObject({ failed: [] })
    expect(await board.armbian.node(1)!.read('/etc/rancher/k3s/cluster-token')).toBe(`${joinToken}\n`)

    const stranger = await asRoot(2)
    const wrongToken = `K10${'ab'.repeat(32)}::server:${'0'.repeat(32)}`
    await converge(stranger, k3sNodeInstall(profile, 'turing-w2', { token: wrongToken }).actions)
    await waitFor(async () => (await board.armbian.node(2)!.units()).failed.includes('k3s-agent'))
    expect((await sh(stranger, 'systemctl is-active k3s-agent')).exitCode).toBe(3)
    expect((await sh(stranger, 'journalctl -u k3s-agent --no-pager')).stdout).toMatch(
      /token CA hash does not match the Cluster CA certificate hash/,
    )
  })

  it('keeps its file system and K3s across a reboot, and stops serving when powered off', async () => {
    const agent = await asRoot(1)
    const fingerprint = board.armbian.node(1)!.hostKeyFingerprint
    expect(await sh(agent, 'reboot')).toMatchObject({ exitCode: 0 })
    await waitForArmbianBoot(board, 1, 2)
    expect(board.armbian.node(1)!.hostKeyFingerprint).toBe(fingerprint)
    const again = await asRoot(1)
    expect((await sh(again, 'hostname')).stdout).toBe('k3s-w1\n')
    await waitFor(async () => (await sh(again, 'systemctl is-active k3s-agent')).exitCode === 0)
    expect(board.state.uartText(1)).toMatch(/k3s-w1 login: $/)

    expect((await sh(again, 'poweroff')).exitCode).toBe(0)
    await waitFor(() => board.state.snapshot().nodes[1]!.power === false)
    await waitFor(() => board.armbian.node(1)!.running === false)
    expect((await rejection(asRoot(1))).code).toBe('ssh_unreachable')
  })

  it('has a new host key after a reflash, which the pinned one makes the app refuse', async () => {
    const before = board.armbian.node(1)!.hostKeyFingerprint!
    await flashArmbian(board, token, 1)
    const endpoint = await powerOnArmbian(board, token, 1)
    expect(endpoint).toEqual(endpoints[1])
    const after = board.armbian.node(1)!.hostKeyFingerprint!
    expect(after).not.toBe(before)
    const refused = await rejection(connect(1, { password: '1234' }))
    expect(refused.code).toBe('ssh_host_key_changed')
    expect(refused.message).toContain(before)
    expect(refused.message).toContain(after)
    hostKeys.pins.delete(`${endpoint.host}:${endpoint.port}`)
    const fresh = await connect(1, { password: '1234' })
    expect((await sh(fresh, 'test -e /root/.not_logged_in_yet && hostname')).stdout).toBe('rk1\n')
    expect((await sh(fresh, 'k3s --version')).exitCode).toBe(127)
  })

  it('feeds a command the channel’s stdin, lets a sudo user in with the password, and refuses a shell', async () => {
    const node = board.armbian.node(0)!
    await node.addUser('deploy', { password: 'dep-pass', sudo: 'password' })
    const deploy = await connect(0, { password: 'dep-pass' }, 'deploy')
    expect((await sh(deploy, 'whoami')).stdout).toBe('deploy\n')
    expect(
      await deploy.exec('whoami && hostnamectl --static', {
        sudo: true,
        sudoPassword: 'dep-pass',
        timeoutMs: 30_000,
      }),
    ).toMatchObject({ exitCode: 0, stdout: `root\n${await node.read('/etc/hostname')}` })
    expect((await sh(deploy, 'hostnamectl set-hostname x')).stderr).toMatch(/Access denied/)
    const refused = await rejection(
      deploy.exec('whoami', { sudo: true, sudoPassword: 'nope', timeoutMs: 30_000 }),
    )
    expect(refused.code).toBe('ssh_auth_failed')

    const client = new ssh2.Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject)
      client.connect({ host: node.address, port: 2222, username: 'root', privateKey: clusterKey.privateKey })
    })
    const exec = (command: string, stdin: string) =>
      new Promise<{ code: number; out: string }>((resolve, reject) =>
        client.exec(command, (error, stream) => {
          if (error) return reject(error)
          let out = ''
          let code = -1
          stream.on('data', (chunk: Buffer) => (out += chunk.toString()))
          stream.on('exit', (status: number) => (code = status))
          stream.on('close', () => resolve({ code, out }))
          stream.end(stdin)
        }),
      )
    expect(await exec('cat > /root/note && wc -l < /root/note', 'one\ntwo\n')).toEqual({
      code: 0,
      out: '2\n',
    })
    expect(await exec('chpasswd', 'deploy:other-pass\n')).toMatchObject({ code: 0 })
    expect((await rejection(connect(0, { password: 'dep-pass' }, 'deploy'))).code).toBe('ssh_auth_failed')
    const shell = await new Promise<string>((resolve, reject) =>
      client.shell(false, (error, stream) => {
        if (error) return reject(error)
        let err = ''
        stream.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
        stream.on('close', () => resolve(err)).resume()
      }),
    )
    expect(shell).toMatch(/runs commands only/)
    client.end()
  })

  it('uninstalls K3s with the script the install left', async () => {
    const server = await asRoot(0)
    expect((await sh(server, '/usr/local/bin/k3s-uninstall.sh')).exitCode).toBe(0)
    expect((await sh(server, 'k3s --version')).exitCode).toBe(127)
    expect((await sh(server, 'systemctl is-active k3s')).exitCode).toBe(3)
    expect(await board.armbian.node(0)!.read('/var/lib/rancher/k3s/server/token')).toBeUndefined()
    await api(board, token, 'opt=set&type=power&node1=0')
  })
})
