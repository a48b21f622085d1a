import { createHash } from 'node:crypto'
import { InMemoryFs } from 'just-bash'
import { describe, expect, it } from 'vitest'
import { installScriptUrl } from '../../src-shared/k3s/k3s-install.ts'
import { emmcRootDisk, emmcWipeCommands, rootDiskCommand } from '../../src-shared/k3s/boot-device.ts'
import { lsblkCommand, parseLsblk } from '../../src-shared/k3s/nvme-disk.ts'
import { addUser, seedArmbianFs } from './armbian-disk.ts'
import { ArmbianSystem } from './armbian-system.ts'
import { flashedEmmc } from './emmc-device.ts'
import { blankNvme } from './nvme-drive.ts'
import type { VirtualTalosBackends } from '../virtual-talos/virtual-talos-backends.ts'
import { K3sRegistry, VirtualK3s, type K3sRestoreRecord } from './virtual-k3s.ts'

/** A booted node without SSH: commands run straight in its shell. */
async function node(
  address = '127.0.0.201',
  registry = new K3sRegistry(),
  options: { backends?: VirtualTalosBackends; onRestore?: (restore: K3sRestoreRecord) => void } = {},
) {
  const fs = new InMemoryFs()
  await seedArmbianFs(fs)
  const k3s = new VirtualK3s({ address, backends: options.backends ?? {}, registry, ...options })
  const power: string[] = []
  const system = new ArmbianSystem({
    disk: { fs, nvme: blankNvme(), emmc: flashedEmmc() },
    address,
    k3s,
    power: { reboot: () => power.push('reboot'), powerOff: () => power.push('off') },
    onEmmcErased: () => power.push('eMMC erased'),
  })
  k3s.attach(system)
  await system.boot()
  const as = async (name: string, command: string, stdin = '') =>
    system.run((await system.user(name))!, command, stdin)
  return { system, power, root: (command: string, stdin = '') => as('root', command, stdin), as }
}

const release = 'v1.36.4+k3s1'

/** Installs K3s as the K3s step does, with the unit started; returns the node. */
async function withK3s(n: Awaited<ReturnType<typeof node>>, env: string, config = '') {
  await n.root(`mkdir -p /etc/rancher/k3s && cat > /etc/rancher/k3s/config.yaml`, config)
  const fetched = await n.root(`curl -sfL -o /tmp/install.sh '${installScriptUrl(release)}'`)
  expect(fetched.exitCode).toBe(0)
  return n.root(`env INSTALL_K3S_VERSION='${release}' ${env} sh /tmp/install.sh`)
}

describe('a virtual Armbian node’s system', () => {
  it('starts in Armbian’s first-boot state', async () => {
    const { root, system } = await node()
    expect((await root('hostnamectl --static; test -e /root/.not_logged_in_yet && echo preset')).stdout).toBe(
      'rk1\npreset\n',
    )
    expect(await root("dpkg-query -W -f='${db:Status-Abbrev}' open-iscsi")).toMatchObject({
      exitCode: 1,
      stderr: 'dpkg-query: no packages found matching open-iscsi\n',
    })
    expect((await root("dpkg-query -W -f='${db:Status-Abbrev}' curl")).stdout).toBe('ii ')
    expect(await system.passwordOk('root', '1234')).toBe(true)
    expect(await root('frobnicate')).toMatchObject({
      exitCode: 127,
      stderr: 'sh: 1: frobnicate: not found\n',
    })
  })

  it('installs packages and runs their units as systemd would', async () => {
    const { root } = await node()
    expect(await root('systemctl is-enabled iscsid')).toMatchObject({ exitCode: 1 })
    expect(await root('apt-get -y install open-iscsi no-such-package')).toMatchObject({
      exitCode: 100,
      stderr: 'E: Unable to locate package no-such-package\n',
    })
    expect((await root('apt-get -q -y -o Dpkg::Options::=--force-confold install open-iscsi')).exitCode).toBe(
      0,
    )
    expect((await root('systemctl is-enabled iscsid; systemctl is-active iscsid')).stdout).toBe(
      'disabled\ninactive\n',
    )
    expect((await root('systemctl enable --now iscsid')).exitCode).toBe(0)
    expect(
      (await root('systemctl is-enabled --quiet iscsid && systemctl is-active --quiet iscsid')).exitCode,
    ).toBe(0)
    // try-restart leaves a unit alone that is not running, even one that does not exist.
    expect((await root('systemctl try-restart multipathd')).exitCode).toBe(0)
    expect(await root('systemctl restart multipathd')).toMatchObject({ exitCode: 5 })
    expect((await root('systemctl stop iscsid; systemctl status iscsid')).exitCode).toBe(3)
  })

  it('refuses root’s tools to other users, and lets sudo users in with their password', async () => {
    const { as, system } = await node()
    await addUser(system.fs, 'pi', { password: 'raspberry', sudo: 'password' })
    expect(await as('pi', 'hostnamectl set-hostname x')).toMatchObject({ exitCode: 1 })
    expect((await as('pi', 'whoami')).stdout).toBe('pi\n')
    expect((await as('pi', 'sudo whoami')).stderr).toMatch(/a terminal is required/)
    expect((await as('pi', 'sudo -S whoami', 'raspberry\n')).stdout).toBe('root\n')
    expect((await as('pi', 'sudo -S whoami', 'wrong\n')).exitCode).toBe(1)
    await addUser(system.fs, 'guest', { password: 'g', sudo: 'none' })
    expect((await as('guest', 'sudo -S whoami', 'g\n')).stderr).toMatch(/not in the sudoers file/)
  })

  it('never repartitions or wipes a mounted NVMe drive', async () => {
    const { root } = await node()
    const device = '/dev/nvme0n1'
    await root('apt-get -y install parted')
    expect((await root(`parted -s ${device} mklabel gpt mkpart longhorn ext4 0% 100%`)).exitCode).toBe(0)
    expect((await root(`mkfs.ext4 -F -L longhorn ${device}p1 && mkdir -p /mnt/x`)).exitCode).toBe(0)
    expect((await root(`mount ${device}p1 /mnt/x && findmnt -n -o SOURCE /mnt/x`)).stdout).toBe(
      `${device}p1\n`,
    )
    const disk = parseLsblk((await root(lsblkCommand(device).command)).stdout, device)
    expect(disk.children).toEqual([
      expect.objectContaining({
        name: `${device}p1`,
        fstype: 'ext4',
        label: 'longhorn',
        mountpoints: ['/mnt/x'],
      }),
    ])
    expect((await root(`wipefs -a ${device}p1`)).stderr).toMatch(/Device or resource busy/)
    expect((await root(`parted -s ${device} mklabel gpt`)).exitCode).toBe(1)
    expect((await root(`mkfs.ext4 -F ${device}p1`)).stderr).toMatch(
      /is mounted; will not make a filesystem here/,
    )
    expect((await root(`umount /mnt/x && wipefs -a ${device}p1 ${device}`)).exitCode).toBe(0)
    const wiped = parseLsblk((await root(lsblkCommand(device).command)).stdout, device)
    expect([wiped.fstype, wiped.children]).toEqual([null, undefined])
  })

  it('reaches only the pinned K3s install script', async () => {
    const { root } = await node()
    expect(await root('curl -sSf https://get.k3s.io')).toMatchObject({
      exitCode: 6,
      stderr: 'curl: (6) Could not resolve host: get.k3s.io\n',
    })
    expect((await root('curl -sf https://example.com/install.sh')).stderr).toBe('')
    const script = await root(`curl -sfL '${installScriptUrl(release)}'`)
    expect(script.stdout).toMatch(/^#!\/bin\/sh\n/)
  })

  it('joins an agent to a running server with its token, and fails it otherwise', async () => {
    const registry = new K3sRegistry()
    const server = await node('127.0.0.201', registry)
    await withK3s(server, 'INSTALL_K3S_EXEC=server')
    expect((await server.root('systemctl is-active k3s')).exitCode).toBe(0)
    const token = (await server.root('cat /var/lib/rancher/k3s/server/token')).stdout.trim()

    const agent = await node('127.0.0.202', registry)
    await agent.root('mkdir -p /etc/rancher/k3s && cat > /etc/rancher/k3s/cluster-token', `${token}\n`)
    const installed = await withK3s(
      agent,
      'K3S_URL=https://127.0.0.201:6443 K3S_TOKEN_FILE=/etc/rancher/k3s/cluster-token',
    )
    expect(installed).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('Starting k3s-agent') })
    expect((await agent.root('systemctl is-active k3s-agent')).exitCode).toBe(0)
    expect((await agent.root('k3s kubectl get nodes')).stderr).toMatch(
      /connection to the server .* was refused/,
    )

    await server.root('systemctl stop k3s')
    expect((await agent.root('systemctl restart k3s-agent')).exitCode).toBe(1)
    expect((await agent.root('journalctl -u k3s-agent')).stdout).toMatch(
      /dial tcp 127\.0\.0\.201:6443: connect: connection refused/,
    )
    await server.root('systemctl start k3s')
    await agent.root('cat > /etc/rancher/k3s/cluster-token', `${token.replace(/:[^:]+$/, ':wrong')}\n`)
    expect((await agent.root('systemctl restart k3s-agent')).exitCode).toBe(1)
    expect((await agent.root('journalctl -u k3s-agent -n 2')).stdout).toMatch(/401 Unauthorized/)
  })

  it('adds a server only to a first server started with cluster-init', async () => {
    const registry = new K3sRegistry()
    const first = await node('127.0.0.201', registry)
    await withK3s(first, 'INSTALL_K3S_EXEC=server')
    const token = (await first.root('cat /var/lib/rancher/k3s/server/token')).stdout.trim()
    const second = await node('127.0.0.202', registry)
    await second.root('mkdir -p /etc/rancher/k3s && cat > /tmp/token', token)
    const join = 'INSTALL_K3S_EXEC=server K3S_URL=https://127.0.0.201:6443 K3S_TOKEN_FILE=/tmp/token'
    expect((await withK3s(second, join)).exitCode).toBe(1)
    expect((await second.root('journalctl -u k3s')).stdout).toMatch(/cluster-init/)

    await first.root('cat > /etc/rancher/k3s/config.yaml && systemctl restart k3s', 'cluster-init: true\n')
    expect((await second.root('systemctl restart k3s')).exitCode).toBe(0)
    expect((await second.root('cat /var/lib/rancher/k3s/server/token')).stdout.trim()).toBe(token)
  })

  it('uninstalls K3s and answers power commands after replying', async () => {
    const { root, power } = await node()
    const n = await node('127.0.0.203')
    await withK3s(n, 'INSTALL_K3S_EXEC=server')
    expect((await n.root('k3s --version')).stdout).toMatch(/^k3s version v1\.36\.4\+k3s1 \(/)
    expect((await n.root('k3s-uninstall.sh && k3s --version')).exitCode).toBe(127)
    expect(await n.system.unitFile('k3s')).toBeUndefined()
    expect((await root('reboot')).exitCode).toBe(0)
    expect((await root('shutdown -h now')).exitCode).toBe(0)
    expect(power).toEqual(['reboot', 'off'])
  })

  it('shows the root file system on the eMMC, refuses to wipe it unforced, and powers off by sysrq after a wipe', async () => {
    const { root, power, as, system } = await node()
    const disk = emmcRootDisk((await root(rootDiskCommand.command)).stdout, 'rk1')
    expect(disk.children?.[0]).toMatchObject({
      name: '/dev/mmcblk0p1',
      label: 'armbi_root',
      mountpoints: ['/'],
    })
    expect((await root('findmnt -n -o SOURCE /')).stdout).toBe('/dev/mmcblk0p1\n')
    expect((await root('wipefs -a /dev/mmcblk0p1')).stderr).toMatch(/Device or resource busy/)
    await system.fs.writeFile('/etc/hostname', 'kept\n')
    await addUser(system.fs, 'pi', { password: 'pw', sudo: 'none' })
    expect((await as('pi', 'dd if=/dev/zero of=/dev/mmcblk0 bs=1M count=32')).stderr).toMatch(
      /Permission denied/,
    )
    expect(power).toEqual([])
    const { wipe, powerOff } = emmcWipeCommands(disk)
    const outputs: string[] = []
    for (const command of wipe) {
      const result = await root(command.command)
      expect(result.exitCode, `${command.command}: ${result.stderr}`).toBe(0)
      outputs.push(result.stdout)
    }
    expect(outputs.join('')).toMatch(/\/dev\/mmcblk0p1: 2 bytes were erased at offset 0x00000438 \(ext4\)/)
    expect(outputs.join('')).toMatch(/\/dev\/mmcblk0: 2 bytes were erased at offset 0x000001fe \(dos\)/)
    expect(system.disk.emmc).toEqual({ partitionTable: false, bootLoader: false, rootFileSystem: null })
    expect(power).toEqual(['eMMC erased'])
    // The running system goes on from what it has loaded until the power goes.
    expect((await root('cat /etc/hostname')).stdout).toBe('kept\n')
    expect((await root(powerOff.command)).exitCode).toBe(0)
    expect(power).toEqual(['eMMC erased', 'off'])
  })
})

describe('a restore on a virtual K3s server', () => {
  const body = Buffer.from('bbolt pages of the cluster’s etcd')
  const snapshot = Buffer.concat([body, createHash('sha256').update(body).digest()])
  /** An etcd whose snapshot is `snapshot`, and an API that registers every Node it is told of. */
  const backends: VirtualTalosBackends = {
    etcd: {
      async *snapshot() {
        yield snapshot
      },
    },
    kubernetes: {
      kubeconfigFor: async () => 'users: []\ncontexts: []\ncurrent-context: ""\n',
      joinNode: async () => undefined,
      leaveNode: async () => undefined,
      listNodes: async () => [],
      mirrorStaticPods: async () => undefined,
      createObjects: async () => undefined,
    },
  }
  const tokenFile = '/etc/rancher/k3s/cluster-token'
  const reset = `k3s server --cluster-reset --cluster-reset-restore-path=/tmp/restore.db --token-file=${tokenFile}`

  /** A node where K3s is installed, not started, with `token` in the token file and `file` at `path`. */
  async function lost(registry: K3sRegistry, restores: K3sRestoreRecord[], config: string, token: string) {
    const n = await node('127.0.0.202', registry, { backends, onRestore: (r) => restores.push(r) })
    await n.root(`mkdir -p /etc/rancher/k3s && cat > ${tokenFile}`, `${token}\n`)
    await withK3s(
      n,
      `INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_START=true K3S_TOKEN_FILE=${tokenFile}`,
      config,
    )
    return n
  }
  const put = (n: Awaited<ReturnType<typeof node>>, path: string, bytes: Buffer) =>
    n.root(
      `mkdir -p ${path.slice(0, path.lastIndexOf('/'))} && base64 -d > ${path}`,
      bytes.toString('base64'),
    )

  it('resets etcd from an intact snapshot only, opened with the token it was taken under', async () => {
    const registry = new K3sRegistry()
    const first = await node('127.0.0.201', registry, { backends })
    await withK3s(first, 'INSTALL_K3S_EXEC=server', 'cluster-init: true\n')
    const token = (await first.root('cat /var/lib/rancher/k3s/server/token')).stdout.trim()
    expect((await first.root('k3s etcd-snapshot save --name before')).exitCode).toBe(0)
    expect(await first.root(reset)).toMatchObject({
      exitCode: 1,
      stderr: expect.stringMatching(/address already in use/),
    })

    const restores: K3sRestoreRecord[] = []
    const n = await lost(registry, restores, 'cluster-init: true\n', token)
    const damaged = Buffer.from(snapshot)
    damaged[0] = damaged[0]! ^ 0xff
    await put(n, '/tmp/restore.db', damaged)
    expect(await n.root(reset)).toMatchObject({
      exitCode: 1,
      stderr: expect.stringMatching(
        /failed to restore etcd from snapshot \/tmp\/restore\.db: snapshot file integrity check failed/,
      ),
    })
    await put(n, '/tmp/restore.db', snapshot)
    await n.root(`cat > ${tokenFile}`, `${token.replace(/:[^:]+$/, ':wrong')}\n`)
    expect((await n.root(reset)).stderr).toMatch(
      /bootstrap data already found and encrypted with different token/,
    )
    expect((await n.root(`rm ${tokenFile} && ${reset}`)).stderr).toMatch(/failed to read token file/)
    expect(restores).toEqual([])

    await n.root(`cat > ${tokenFile}`, `${token}\n`)
    expect(await n.root(reset)).toMatchObject({
      exitCode: 0,
      stderr: expect.stringMatching(/Managed etcd cluster membership has been reset/),
    })
    expect(restores).toEqual([
      {
        datastore: 'etcd',
        bytes: snapshot.length,
        sha256: createHash('sha256').update(snapshot).digest('hex'),
      },
    ])
    expect((await n.root('systemctl start k3s && cat /var/lib/rancher/k3s/server/token')).stdout.trim()).toBe(
      token,
    )
  })

  it('starts a single server on a restored state.db only when it is SQLite and the token opens it', async () => {
    const registry = new K3sRegistry()
    const first = await node('127.0.0.201', registry, { backends })
    await withK3s(first, 'INSTALL_K3S_EXEC=server')
    const token = (await first.root('cat /var/lib/rancher/k3s/server/token')).stdout.trim()
    const stateDb = '/var/lib/rancher/k3s/server/db/state.db'
    const datastore = Buffer.from(await first.system.fs.readFileBuffer(stateDb))
    expect(datastore.subarray(0, 15).toString()).toBe('SQLite format 3')

    const restores: K3sRestoreRecord[] = []
    const wrong = await lost(registry, restores, '', token.replace(/:[^:]+$/, ':wrong'))
    await put(wrong, stateDb, datastore)
    expect((await wrong.root('systemctl start k3s')).exitCode).toBe(1)
    expect((await wrong.root('journalctl -u k3s')).stdout).toMatch(/encrypted with different token/)

    const n = await lost(registry, restores, '', token)
    await put(n, stateDb, snapshot)
    expect((await n.root('systemctl start k3s')).exitCode).toBe(1)
    expect((await n.root('journalctl -u k3s')).stdout).toMatch(/state\.db: file is not a database/)
    expect(restores).toEqual([])
    await put(n, stateDb, datastore)
    expect((await n.root('systemctl start k3s')).exitCode).toBe(0)
    expect(restores).toEqual([
      {
        datastore: 'sqlite',
        bytes: datastore.length,
        sha256: createHash('sha256').update(datastore).digest('hex'),
      },
    ])
    // Started again on the same file, it restores nothing.
    await n.root('systemctl restart k3s')
    expect(restores).toHaveLength(1)
  })
})
