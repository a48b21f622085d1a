// Virtual Armbian nodes (src-main/virtual-armbian) on a virtual board, driven by the app's own SSH
// client and node shells (src-main/ssh) with the K3s steps' real actions (src-shared/k3s): the
// console names the SSH endpoint before the login prompt; the first login with the image's
// password, node preparation, the NVMe drive and the K3s server and agent installs each converge
// and then find nothing to do; a wrong join token leaves the agent's unit failed; reboots keep the
// node's state and a reflash gives it a new host key; a sudo user's commands and their stdin get
// through sudo; a wiped eMMC leaves the slot booting nothing until it is flashed again. No loopback cluster here: `k3s kubectl` says there is no API behind the node.
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstLoginActions } from '../../src-shared/k3s/first-login.ts'
import { k3sNodeInstall, parseK3sToken, readServerTokenCommand } from '../../src-shared/k3s/k3s-install.ts'
import { getNodesCommand } from '../support/k3s-node-list.ts'
import { nodePrepActions } from '../../src-shared/k3s/k3s-node-prep.ts'
import { emmcRootDisk, emmcWipeCommands, rootDiskCommand } from '../../src-shared/k3s/boot-device.ts'
import { lsblkCommand, parseLsblk, planNvme } from '../../src-shared/k3s/nvme-disk.ts'
import { writeFileCommand } from '../../src-shared/k3s/remote-command.ts'
import { parseVirtualSshLine } from '../../src-shared/k3s/ssh-endpoint.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { nodePasswordAccount } from '../../src-main/secrets/secret-store.ts'
import { generateClusterKey } from '../../src-main/ssh/cluster-key.ts'
import type { NodeShell } from '../../src-main/ssh/node-shell.ts'
import { connectSsh, type SshAuth, type SshConnection } from '../../src-main/ssh/ssh-connection.ts'
import { noBootableImage } from '../../src-main/virtual-board/board-state.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { rejection } from '../support/app-error.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import {
  converge,
  flashArmbian,
  memoryHostKeys,
  memoryNodeShells,
  openShell,
  powerOnArmbian,
  waitForArmbianBoot,
} from '../support/virtual-armbian.ts'
import { closeAll, startBoard, waitFor } from '../support/virtual-bmc.ts'
import { api, login } from './virtual-board-helpers.ts'

const clusterKey = generateClusterKey('clusterdeck@lab')
const rootPassword = 'n3w-r00t pass'

describe('virtual Armbian nodes', () => {
  let board: VirtualBoard
  let token: string
  let profile: ClusterProfile
  const endpoints: { host: string; port: number }[] = []
  const hostKeys = memoryHostKeys()
  const keychain = new MemorySecretStore()
  const shells = memoryNodeShells(hostKeys, keychain)
  const open: (SshConnection | NodeShell)[] = []

  const connect = async (index: number, auth: SshAuth, user = 'root') => {
    const connection = await connectSsh({
      target: { ...endpoints[index]!, user },
      auth: { agentSocket: undefined, ...auth },
      hostKeys,
      connectTimeoutMs: 10_000,
    })
    open.push(connection)
    return connection
  }
  /** A node shell as a K3s step opens one: the cluster key, the image password on first login. */
  const shell = async (index: number, options: { password?: string; user?: string } = {}) => {
    const opened = await openShell(shells, endpoints[index]!, {
      clusterKey: clusterKey.privateKey,
      ...options,
    })
    open.push(opened)
    return opened
  }
  const sh = (target: SshConnection, command: string) => target.exec(command, { timeoutMs: 30_000 })
  const exec = async (target: NodeShell, command: string) => target.run({ command })

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
    expect((await rejection(connect(1, { password: 'turing' }))).code).toBe('ssh_auth_failed')
  })

  it('takes the first login: keys, time zone, root password; then the image password no longer gets in', async () => {
    for (const index of [0, 1, 2]) {
      const first = await shell(index, { password: '1234' })
      const actions = firstLoginActions({ timezone: 'Europe/Berlin', rootPassword }, [clusterKey.publicKey])
      expect(await converge(first, actions)).toEqual(['ssh-key-1', 'timezone', 'root-password'])
      expect(await converge(first, actions)).toEqual([])
      first.close()
    }
    expect((await rejection(connect(0, { password: '1234' }))).code).toBe('ssh_auth_failed')
    const withNew = await connect(0, { password: rootPassword })
    expect((await sh(withNew, 'timedatectl show -p Timezone --value')).stdout).toBe('Europe/Berlin\n')
    const node = board.armbian.node(0)!
    expect(await node.read('/root/.not_logged_in_yet')).toBeUndefined()
    expect(await node.read('/root/.ssh/authorized_keys')).toBe(`${clusterKey.publicKey}\n`)
  })

  it('prepares the node for K3s and Longhorn, and a second run finds nothing to do', async () => {
    const root = await shell(0)
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
    expect(await state.read('/etc/modules-load.d/clusterdeck-longhorn.conf')).toBe('iscsi_tcp\ndm_crypt\n')
    expect(await state.packages()).toEqual(
      expect.arrayContaining(['open-iscsi', 'nfs-common', 'curl', 'parted']),
    )
    expect(await state.units()).toMatchObject({
      active: expect.arrayContaining(['iscsid']),
      enabled: expect.arrayContaining(['iscsid']),
    })
    expect((await exec(root, 'lsmod')).stdout).toMatch(/^iscsi_tcp /m)
    for (const index of [1, 2]) {
      const agent = await shell(index)
      await converge(agent, nodePrepActions({ ...profile.nodes[index]!, hostname: `k3s-w${index}` }))
    }
  })

  it('formats a blank NVMe drive, mounts it through the fstab, and keeps a foreign one until confirmed', async () => {
    const root = await shell(0)
    const device = '/dev/nvme0n1'
    const mountPoint = '/var/lib/longhorn'
    const plan = async () =>
      planNvme({
        hostname: 'k3s-cp1',
        device,
        mountPoint,
        disk: parseLsblk((await root.run(lsblkCommand(device))).stdout, device),
        fstab: (await exec(root, 'cat /etc/fstab')).stdout,
      })
    const stages: string[] = []
    for (let step = 0; step < 4; step++) {
      const next = await plan()
      stages.push(next.kind)
      if (next.kind === 'done' || next.kind === 'needs-confirmation') break
      for (const command of next.commands) expect((await root.run(command)).exitCode, command.command).toBe(0)
    }
    expect(stages).toEqual(['format', 'mount', 'done'])
    expect((await exec(root, `findmnt -n -o SOURCE ${mountPoint}`)).stdout).toBe(`${device}p1\n`)
    expect(await board.armbian.node(0)!.read('/etc/fstab.clusterdeck-backup')).toMatch(/ \/ ext4 /)

    board.armbian.node(2)!.setNvme({ partitions: [{ fstype: 'ntfs', label: 'photos' }] })
    const other = await shell(2)
    const disk = parseLsblk((await other.run(lsblkCommand(device))).stdout, device)
    expect(planNvme({ hostname: 'k3s-w2', device, mountPoint, disk, fstab: '' })).toMatchObject({
      kind: 'needs-confirmation',
      holds: [expect.stringMatching(/^\/dev\/nvme0n1p1: part, .*, ntfs "photos"$/)],
    })
  })

  it('installs the K3s server, then an agent joins with its token; a wrong token leaves the agent failed', async () => {
    const server = await shell(0)
    const serverInstall = k3sNodeInstall(profile, 'turing-cp1')
    expect(await converge(server, serverInstall.actions)).toEqual(['k3s-install'])
    expect(await converge(server, serverInstall.actions)).toEqual([])
    expect(await exec(server, 'systemctl is-active k3s')).toMatchObject({ exitCode: 0, stdout: 'active\n' })
    expect((await exec(server, 'k3s --version')).stdout).toMatch(
      /^k3s version v1\.36\.4\+k3s1 \([0-9a-f]{8}\)\n/,
    )
    const joinToken = parseK3sToken((await server.run(readServerTokenCommand)).stdout)
    expect(joinToken).toMatch(/^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/)
    expect(await server.run(getNodesCommand)).toMatchObject({
      exitCode: 1,
      stderr: expect.stringContaining('no Kubernetes API behind this virtual node (npm run virtual-cluster'),
    })

    const agent = await shell(1)
    const agentInstall = k3sNodeInstall(profile, 'turing-w1', { token: joinToken })
    expect(await converge(agent, agentInstall.actions)).toEqual(['k3s-token', 'k3s-install'])
    expect(await converge(agent, agentInstall.actions)).toEqual([])
    // The install script ran once on each, the second converge finding everything in place.
    expect(board.armbian.node(0)!.k3sInstalls()).toEqual(['server'])
    expect(board.armbian.node(1)!.k3sInstalls()).toEqual(['agent'])
    await waitFor(async () => (await exec(agent, 'systemctl is-active k3s-agent')).exitCode === 0)
    expect(await board.armbian.node(1)!.units()).toMatchObject({ failed: [] })
    expect(await board.armbian.node(1)!.read('/etc/rancher/k3s/cluster-token')).toBe(`${joinToken}\n`)

    const stranger = await shell(2)
    const wrongToken = `K10${'ab'.repeat(32)}::server:${'0'.repeat(32)}`
    await converge(stranger, k3sNodeInstall(profile, 'turing-w2', { token: wrongToken }).actions)
    await waitFor(async () => (await board.armbian.node(2)!.units()).failed.includes('k3s-agent'))
    expect((await exec(stranger, 'systemctl is-active k3s-agent')).exitCode).toBe(3)
    expect((await exec(stranger, 'journalctl -u k3s-agent --no-pager')).stdout).toMatch(
      /token CA hash does not match the Cluster CA certificate hash/,
    )
  })

  it('keeps its file system and K3s across a reboot, and stops serving when powered off', async () => {
    const agent = await shell(1)
    const fingerprint = board.armbian.node(1)!.hostKeyFingerprint
    expect(await exec(agent, 'reboot')).toMatchObject({ exitCode: 0 })
    await waitForArmbianBoot(board, 1, 2)
    expect(board.armbian.node(1)!.hostKeyFingerprint).toBe(fingerprint)
    const again = await shell(1)
    expect((await exec(again, 'hostname')).stdout).toBe('k3s-w1\n')
    await waitFor(async () => (await exec(again, 'systemctl is-active k3s-agent')).exitCode === 0)
    expect(board.state.uartText(1)).toMatch(/k3s-w1 login: $/)

    expect((await exec(again, 'poweroff')).exitCode).toBe(0)
    await waitFor(() => board.state.snapshot().nodes[1]!.power === false)
    await waitFor(() => board.armbian.node(1)!.running === false)
    expect((await rejection(shell(1))).code).toBe('ssh_unreachable')
  })

  it('has a new host key after a reflash, which the pinned one makes the app refuse', async () => {
    const before = board.armbian.node(1)!.hostKeyFingerprint!
    await flashArmbian(board, token, 1)
    const endpoint = await powerOnArmbian(board, token, 1)
    expect(endpoint).toEqual(endpoints[1])
    const after = board.armbian.node(1)!.hostKeyFingerprint!
    expect(after).not.toBe(before)
    const refused = await rejection(shell(1, { password: '1234' }))
    expect(refused.code).toBe('ssh_host_key_changed')
    expect(refused.message).toContain(before)
    expect(refused.message).toContain(after)
    hostKeys.pins.delete(`${endpoint.host}:${endpoint.port}`)
    const fresh = await shell(1, { password: '1234' })
    expect((await exec(fresh, 'test -e /root/.not_logged_in_yet && hostname')).stdout).toBe('rk1\n')
    expect((await exec(fresh, 'k3s --version')).exitCode).toBe(127)
  })

  it('runs a sudo user’s commands as root, stdin included, with the password from the keychain', async () => {
    const node = board.armbian.node(0)!
    await node.addUser('deploy', { password: 'dep-pass', sudo: 'password' })
    expect((await sh(await connect(0, { password: 'dep-pass' }, 'deploy'), 'whoami')).stdout).toBe('deploy\n')
    expect(
      (await sh(await connect(0, { password: 'dep-pass' }, 'deploy'), 'hostnamectl set-hostname x')).stderr,
    ).toMatch(/Access denied/)
    // The node shell logs in with the cluster key, so deploy gets it too.
    const root = await shell(0)
    await root.run({
      command:
        'mkdir -p /home/deploy/.ssh && cat /root/.ssh/authorized_keys > /home/deploy/.ssh/authorized_keys',
    })

    await keychain.set(nodePasswordAccount('lab'), 'dep-pass')
    const deploy = await shell(0, { user: 'deploy' })
    expect(await exec(deploy, 'whoami && hostnamectl --static')).toMatchObject({
      exitCode: 0,
      stdout: `root\n${await node.read('/etc/hostname')}`,
    })
    const write = writeFileCommand('/etc/clusterdeck-test.conf', 'secret: 1\n', { mode: 0o600, secret: true })
    expect((await deploy.run(write)).exitCode).toBe(0)
    expect(await node.read('/etc/clusterdeck-test.conf')).toBe('secret: 1\n')

    await keychain.set(nodePasswordAccount('lab'), 'wrong')
    const refused = await rejection(exec(await shell(0, { user: 'deploy' }), 'whoami'))
    expect(refused.code).toBe('ssh_auth_failed')
  })

  it('feeds an exec channel’s stdin to its command and refuses an interactive shell', async () => {
    const node = board.armbian.node(0)!
    const client = new ssh2.Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject)
      client.connect({ host: node.address, port: 2222, username: 'root', privateKey: clusterKey.privateKey })
    })
    const run = (command: string, stdin: string) =>
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
    expect(await run('cat > /root/note && wc -l < /root/note', 'one\ntwo\n')).toEqual({ code: 0, out: '2\n' })
    expect(await run('chpasswd', 'deploy:other-pass\n')).toMatchObject({ code: 0 })
    expect((await rejection(connect(0, { password: 'dep-pass' }, 'deploy'))).code).toBe('ssh_auth_failed')
    const shellOutput = await new Promise<string>((resolve, reject) =>
      client.shell(false, (error, stream) => {
        if (error) return reject(error)
        let err = ''
        stream.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
        stream.on('close', () => resolve(err)).resume()
      }),
    )
    expect(shellOutput).toMatch(/runs commands only/)
    client.end()
  })

  it('stops a command whose deadline passed, before it does anything more', async () => {
    const root = await connect(0, { privateKeys: [clusterKey.privateKey] })
    const late = await rejection(root.exec('sleep 2; touch /root/late', { timeoutMs: 500 }))
    expect(late.code).toBe('timeout')
    await new Promise((resolve) => setTimeout(resolve, 2500))
    expect(await board.armbian.node(0)!.read('/root/late')).toBeUndefined()
  })

  it('uninstalls K3s with the script the install left', async () => {
    const server = await shell(0)
    expect((await exec(server, '/usr/local/bin/k3s-uninstall.sh')).exitCode).toBe(0)
    expect((await exec(server, 'k3s --version')).exitCode).toBe(127)
    expect((await exec(server, 'systemctl is-active k3s')).exitCode).toBe(3)
    expect(await board.armbian.node(0)!.read('/var/lib/rancher/k3s/server/token')).toBeUndefined()
    await api(board, token, 'opt=set&type=power&node1=0')
  })

  it('boots nothing once its eMMC is wiped, until it is flashed again', async () => {
    const node = await shell(2)
    const disk = emmcRootDisk((await node.run(rootDiskCommand)).stdout, 'rk1')
    expect(disk.name).toBe('/dev/mmcblk0')
    const { wipe, powerOff } = emmcWipeCommands(disk)
    for (const command of wipe) expect((await node.run(command)).exitCode, command.command).toBe(0)
    // The slot's image is gone at once; the running node goes on until its power goes.
    expect(board.state.snapshot().nodes[2]!.flashed).toBeUndefined()
    expect((await exec(node, 'cat /etc/hostname')).exitCode).toBe(0)
    await node.run(powerOff).catch(() => undefined)
    await waitFor(() => board.state.snapshot().nodes[2]!.power === false)

    await api(board, token, 'opt=set&type=power&node3=1')
    await waitFor(() => board.state.uartText(2).includes(noBootableImage))
    expect(board.armbian.node(2)!.running).toBe(false)
    expect((await rejection(shell(2))).code).toBe('ssh_unreachable')

    await flashArmbian(board, token, 2)
    const endpoint = await powerOnArmbian(board, token, 2)
    hostKeys.pins.delete(`${endpoint.host}:${endpoint.port}`)
    const flashed = await shell(2, { password: '1234' })
    expect((await exec(flashed, 'lsblk -J -p /dev/mmcblk0')).stdout).toContain('"label": "armbi_root"')
    await api(board, token, 'opt=set&type=power&node3=0')
  })
})
