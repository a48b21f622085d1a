// Day 2 of a K3s cluster on virtual Armbian nodes standing on the loopback cluster, through the
// real engine, the K3s bootstrap and the day-2 executors over the app's node shells: a backup
// takes `k3s etcd-snapshot save` on the first server (three servers: embedded etcd) and keeps the
// file in the data directory; an upgrade moves servers first, then the agent, one node at a time,
// each node's kubelet reporting the new release before the next starts, cancelled while the first
// server's step waits for it and resumed at it; a second run finds
// every node done; a destroy that backs up first keeps the token and the snapshot, and a restore
// from that snapshot (a damaged copy refused first, changing nothing) brings the same cluster back
// Ready, its first server reset from the snapshot and the others joined anew; a destroy ends with
// every slot off per the BMC and the cluster's secrets gone from the data directory. A single
// server's backup is a copy of its SQLite datastore; destroyed with its secrets forgotten, the
// cluster is rebuilt from the secrets export and that copy; its last destroy wipes the eMMC too,
// after which a node powered on again boots nothing. Skipped, with the reason, where the peers are
// not built.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { listBackups } from '../../src-main/day2/backup-store.ts'
import { day2Handlers } from '../../src-main/day2/day2-handlers.ts'
import { exportSecrets } from '../../src-main/day2/secrets-export.ts'
import type { SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import { noBootableImage } from '../../src-main/virtual-board/board-state.ts'
import { findPeers } from '../support/peers.ts'
import { waitFor } from '../support/virtual-bmc.ts'
import { filesContaining } from '../support/find-in-files.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { deployK3sCluster, type K3sTestCluster } from './support/k3s-cluster.ts'

const run = promisify(execFile)
const cluster = inject('loopbackCluster')
const etcdutl = findPeers(['etcdutl'])
const skip = cluster.skip
const from = 'v1.36.4+k3s1'
const to = 'v1.37.0+k3s1'

describe.skipIf(skip !== undefined)(
  `day 2 of a virtual K3s cluster${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let c: K3sTestCluster
    let core: CoreV1Api

    /** The K3s release each node's binary is, in profile order (servers first). */
    const versions = async () =>
      Promise.all(
        c.profile.nodes.map(async (_, i) => {
          const binary = await c.board.armbian.node(i)?.read('/usr/local/bin/k3s')
          return /^# k3s (\S+)$/m.exec(binary ?? '')?.[1] ?? null
        }),
      )
    const recordId = () => c.clusters.get('lab').id

    beforeAll(async () => {
      const kubeConfig = new KubeConfig()
      kubeConfig.loadFromFile(cluster.kubeconfigPath)
      core = kubeConfig.makeApiClient(CoreV1Api)
      c = await deployK3sCluster({
        kubeconfigPath: cluster.kubeconfigPath,
        etcdEndpoint: cluster.etcdEndpoint,
        roles: ['control-plane', 'control-plane', 'control-plane', 'worker'],
      })
    }, 300_000)

    afterAll(async () => {
      for (const node of c?.profile.nodes ?? [])
        await core.deleteNode({ name: node.hostname }).catch(() => undefined)
      await c?.close()
    })

    it('backs up etcd with k3s etcd-snapshot save into the data directory', async () => {
      const started = await c.engine.startOperation('lab', 'backup')
      const done = await c.engine.settled(started.id)
      expect(done.steps.filter((s) => s.state === 'failed').map((s) => s.message)).toEqual([])
      const first = c.profile.nodes[0]!.hostname
      expect(done.steps.find((s) => s.stepId === stepIds.etcdSnapshot)?.message ?? '').toMatch(
        new RegExp(
          `^Snapshot of k3s etcd-snapshot /var/lib/rancher/k3s/server/db/snapshots/clusterdeck-\\S+-${first}-\\d+ from ${first}: \\d+ bytes`,
        ),
      )
      const kept = await listBackups(c.dataDir, recordId())
      expect(kept).toHaveLength(1)
      expect(kept[0]).toMatchObject({ distribution: 'k3s', version: from, node: first })
      expect(readFileSync(kept[0]!.file).length).toBe(kept[0]!.sizeBytes)
      // The snapshot is etcd's own (the loopback etcd's), readable by the peers' etcdutl.
      if (etcdutl.ok) {
        const { stdout } = await run(etcdutl.binaries.etcdutl, [
          'snapshot',
          'status',
          kept[0]!.file,
          '-w',
          'json',
        ])
        expect((JSON.parse(stdout) as { totalKey: number }).totalKey).toBeGreaterThan(0)
      }
    }, 120_000)

    it('upgrades K3s servers first, then the agent, one node at a time, killed mid-way and resumed', async () => {
      await expect(
        c.engine.startOperation('lab', 'upgrade', undefined, { options: { k3sVersion: 'v1.38.0+k3s1' } }),
      ).rejects.toThrow(/K3s moves one minor release at a time: from v1\.36\.4 go to v1\.37\.x first/)
      expect(await versions()).toEqual([from, from, from, from])

      const seen: string[] = []
      let sampling = true
      let runId = ''
      let cancelled = false
      const sampler = (async () => {
        while (sampling) {
          const now = await versions()
          if (seen.at(-1) !== now.join(',')) seen.push(now.join(','))
          // Killed once the first server's kubelet reports the new release, while the step still
          // waits for it to be Ready and uncordons it: the resumed run goes on at that node.
          const first = await core
            .readNode({ name: c.profile.nodes[0]!.hostname })
            .then((node) => node.status?.nodeInfo?.kubeletVersion)
            .catch(() => undefined)
          if (!cancelled && runId && first === to) {
            cancelled = true
            c.engine.cancel(runId)
          }
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })()
      const started = await c.engine.startOperation('lab', 'upgrade', undefined, {
        options: { k3sVersion: to },
      })
      runId = started.id
      const stopped = await c.engine.settled(started.id)
      expect(stopped.state).toBe('cancelled')
      const firstStep = stepIds.upgradeNode(c.profile.nodes[0]!.hostname)
      // Killed while the first server's step waited (or just after it): the last nodes were not touched.
      const firstStopped = stopped.steps.find((s) => s.stepId === firstStep)?.state
      expect((await versions()).slice(2)).toEqual([from, from])
      c.engine.resume(started.id)
      const done = await c.engine.settled(started.id)
      sampling = false
      await sampler
      expect(done.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`)).toEqual(
        [],
      )
      expect(done.state).toBe('done')
      // The resumed run went on at the first server without installing it again.
      const firstLog = c.runs.log(done.id, firstStep)
      expect(firstLog.match(/\$ env INSTALL_K3S_VERSION=v1\.37\.0\+k3s1/g)).toHaveLength(1)
      // Found at the target: skipped as in place, or waited on until Ready and uncordoned.
      if (firstStopped !== 'done') expect(firstLog).toMatch(/already (in place|runs K3s v1\.37\.0\+k3s1)/)
      expect(seen).toEqual([
        [from, from, from, from].join(','),
        [to, from, from, from].join(','),
        [to, to, from, from].join(','),
        [to, to, to, from].join(','),
        [to, to, to, to].join(','),
      ])
      // Every Node reports the new kubelet and is schedulable again.
      for (const node of c.profile.nodes) {
        const read = await core.readNode({ name: node.hostname })
        expect(read.status?.nodeInfo?.kubeletVersion).toBe(to)
        expect(read.spec?.unschedulable ?? false).toBe(false)
      }
      expect(c.clusters.get('lab').versions.k3s).toBe(to)
      // Each node was drained through the API before its install, and put back after.
      const agentLog = c.runs.log(done.id, stepIds.upgradeNode(c.profile.nodes[3]!.hostname))
      expect(agentLog).toMatch(/Cordoned k3s-w4-\w+; evicting \d+ pod\(s\)/)
      expect(agentLog).toMatch(/INSTALL_K3S_VERSION=v1\.37\.0\+k3s1/)
      expect(agentLog).toMatch(/Uncordoned k3s-w4-/)

      // Run again (as a killed run resumes): every node is found at the target and only waited on.
      const again = await c.engine.startOperation('lab', 'upgrade', undefined, {
        options: { k3sVersion: to },
      })
      const second = await c.engine.settled(again.id)
      expect(second.state).toBe('done')
      const upgrades = second.steps.filter((s) => s.stepId.startsWith('upgrade:'))
      expect(upgrades.length).toBeGreaterThan(0)
      for (const step of upgrades) expect(step).toMatchObject({ state: 'skipped' })
    }, 300_000)

    it('destroys with a backup first, then restores the cluster from that snapshot', async () => {
      const id = recordId()
      const first = c.profile.nodes[0]!.hostname
      const token = (await c.clusters.openSecret(id, sealedNames.k3sToken)).toString('utf8')
      const destroy = await c.engine.startOperation('lab', 'destroy', undefined, {
        options: { keepAddons: true, backupFirst: true },
        confirm: 'lab',
      })
      const destroyed = await c.engine.settled(destroy.id)
      expect(
        destroyed.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`),
      ).toEqual([])
      expect(c.clusters.get('lab').destroyedAt).not.toBeNull()
      expect(c.clusters.sealedNames(id)).toContain(sealedNames.k3sToken)
      const [latest] = await listBackups(c.dataDir, id)
      expect(latest?.runId).toBe(destroy.id)
      // The destroy took K3s off the nodes and powered them off; their eMMC still holds Armbian.
      await c.powerOn()
      expect(await c.board.armbian.node(0)!.read('/usr/local/bin/k3s')).toBeUndefined()

      const dir = makeTempDir('k3s-restore-')
      try {
        // A copy whose etcd integrity hash is broken: refused before the node is touched.
        const snapshot = join(dir.path, 'restore-etcd.snapshot')
        const bytes = readFileSync(latest!.file)
        bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1)
        writeFileSync(snapshot, bytes)
        const started = await c.engine.startOperation('lab', 'restore', 'cluster-bootstrap', {
          options: { restoreSnapshot: snapshot },
        })
        const refused = await c.engine.settled(started.id)
        expect(refused.state).toBe('failed')
        expect(refused.plan.steps.find((s) => s.id === stepIds.k3sServer(first))?.title).toBe(
          `Install the K3s server on ${first}, restored from the snapshot restore-etcd.snapshot`,
        )
        expect(refused.steps.find((s) => s.stepId === stepIds.k3sServer(first))).toMatchObject({
          state: 'failed',
          message: expect.stringMatching(
            /restore-etcd\.snapshot fails the etcd snapshot integrity check .*; nothing was restored on k3s-cp1-/,
          ),
        })
        expect(c.board.armbian.node(0)!.k3sRestoredFrom()).toEqual([])
        expect(await c.board.armbian.node(0)!.read('/usr/local/bin/k3s')).toBeUndefined()

        // The intact snapshot in its place, the run resumed: the first server is reset from it.
        copyFileSync(latest!.file, snapshot)
        c.engine.resume(started.id)
        const restored = await c.engine.settled(started.id)
        expect(
          restored.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`),
        ).toEqual([])
        expect(restored.state).toBe('done')
        expect(restored.steps.find((s) => s.stepId === stepIds.k3sServer(first))?.message).toMatch(
          /as the first server \(k3s\) on k3s-cp1-\w+, its etcd restored from restore-etcd\.snapshot$/,
        )
        expect(c.board.armbian.node(0)!.k3sRestoredFrom()).toEqual([
          { datastore: 'etcd', bytes: statSync(latest!.file).size, sha256: latest!.sha256 },
        ])
        const log = c.runs.log(started.id, stepIds.k3sServer(first))
        expect(log).toMatch(
          /k3s server --cluster-reset --cluster-reset-restore-path=\S+restore-etcd\.snapshot/,
        )
        expect(log).not.toContain(bytes.subarray(0, 48).toString('base64'))
        expect(log).not.toContain(token.trim())
        // The other servers dropped no datastore they still needed: they joined the restored one.
        for (const index of [1, 2]) {
          expect(c.board.armbian.node(index)!.k3sRestoredFrom()).toEqual([])
          expect(
            await c.board.armbian
              .node(index)!
              .read('/var/lib/rancher/k3s/server/db/clusterdeck-restored-from'),
          ).toMatch(new RegExp(`^${latest!.sha256}  restore-etcd\\.snapshot`))
        }
        // Same cluster, same token; every node Ready again, the record no longer destroyed.
        expect((await c.board.armbian.node(0)!.read('/var/lib/rancher/k3s/server/token'))?.trim()).toBe(
          token.trim(),
        )
        for (const node of c.profile.nodes) {
          const read = await core.readNode({ name: node.hostname })
          expect(read.status?.conditions?.find((x) => x.type === 'Ready')?.status, node.hostname).toBe('True')
        }
        expect(c.clusters.get('lab').destroyedAt).toBeNull()

        // Run again: the first server is found restored from that snapshot, not reset twice.
        const again = await c.engine.startOperation('lab', 'restore', 'cluster-bootstrap', {
          options: { restoreSnapshot: snapshot },
        })
        const second = await c.engine.settled(again.id)
        expect(second.state).toBe('done')
        expect(second.steps.find((s) => s.stepId === stepIds.k3sServer(first))).toMatchObject({
          state: 'skipped',
          message: expect.stringMatching(/its etcd restored from restore-etcd\.snapshot/),
        })
        expect(c.board.armbian.node(0)!.k3sRestoredFrom()).toHaveLength(1)
      } finally {
        dir.remove()
      }
    }, 300_000)

    it('destroys the cluster: every node off per the BMC, its secrets gone from the data directory', async () => {
      const id = recordId()
      const token = (await c.clusters.openSecret(id, sealedNames.k3sToken)).toString('utf8')
      const key = (await c.clusters.openSecret(id, sealedNames.sshKey)).toString('utf8')
      const started = await c.engine.startOperation('lab', 'destroy', undefined, {
        options: { keepAddons: true },
        confirm: 'lab',
      })
      const done = await c.engine.settled(started.id)
      expect(done.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`)).toEqual(
        [],
      )
      expect(done.state).toBe('done')
      // The first server goes last.
      const resets = done.steps.filter((s) => s.stepId.startsWith('reset:')).map((s) => s.stepId)
      expect(resets.at(-1)).toBe(`reset:${c.profile.nodes[0]!.hostname}`)
      const { nodes } = await c.bmc.status({ boardId: 'board-tp1' })
      for (const node of c.profile.nodes)
        expect(nodes.find((n) => n.node === node.slot)?.poweredOn, node.hostname).toBe(false)
      expect(c.clusters.get('lab').destroyedAt).not.toBeNull()
      expect(c.clusters.sealedNames(id)).toEqual([])
      expect(filesContaining(c.dataDir, token.trim())).toEqual([])
      expect(filesContaining(c.dataDir, key.split('\n')[1]!)).toEqual([])
      expect(await listBackups(c.dataDir, id)).toEqual([])
      const reset = c.runs.log(done.id, stepIds.reset(c.profile.nodes[0]!.hostname))
      expect(reset).toMatch(/k3s-uninstall\.sh/)
      expect(reset).toMatch(/rm -rf \/etc\/rancher \/var\/lib\/rancher \/var\/lib\/kubelet/)
      expect(reset).toMatch(/shutdown -h now/)
    }, 300_000)
  },
)

describe.skipIf(skip !== undefined)(
  `backup, restore and eMMC-wiping destroy of a single-server K3s cluster (SQLite)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let c: K3sTestCluster
    let core: CoreV1Api

    beforeAll(async () => {
      const kubeConfig = new KubeConfig()
      kubeConfig.loadFromFile(cluster.kubeconfigPath)
      core = kubeConfig.makeApiClient(CoreV1Api)
      c = await deployK3sCluster({
        kubeconfigPath: cluster.kubeconfigPath,
        roles: ['control-plane', 'worker'],
      })
    }, 300_000)

    afterAll(async () => {
      for (const node of c?.profile.nodes ?? [])
        await core.deleteNode({ name: node.hostname }).catch(() => undefined)
      await c?.close()
    })

    it('copies the SQLite datastore into the data directory', async () => {
      const started = await c.engine.startOperation('lab', 'backup')
      const done = await c.engine.settled(started.id)
      expect(done.steps.filter((s) => s.state === 'failed').map((s) => s.message)).toEqual([])
      expect(done.steps.find((s) => s.stepId === stepIds.etcdSnapshot)?.message ?? '').toMatch(
        /^Snapshot of the SQLite datastore \/var\/lib\/rancher\/k3s\/server\/db\/state\.db from k3s-cp1-\w+: \d+ bytes/,
      )
      const [kept] = await listBackups(c.dataDir, c.clusters.get('lab').id)
      expect(readFileSync(kept!.file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0')
      expect(readFileSync(kept!.file).includes(`/registry/minions/${c.profile.nodes[0]!.hostname}`)).toBe(
        true,
      )
    }, 120_000)

    it('rebuilds the destroyed cluster from the exported secrets and the SQLite copy, refusing an etcd snapshot first', async () => {
      const record = c.clusters.get('lab')
      const dir = makeTempDir('k3s-restore-')
      try {
        // The offsite copies: the datastore backup and the secrets export, both from before.
        const [kept] = await listBackups(c.dataDir, record.id)
        const latest = { ...kept!, file: join(dir.path, 'lab-state.db') }
        copyFileSync(kept!.file, latest.file)
        const passphrase = { passphrase: 'a passphrase of several words' }
        const open = async (name: string) =>
          c.clusters.sealedNames(record.id).includes(name)
            ? (await c.clusters.openSecret(record.id, name)).toString('utf8')
            : null
        const exported = await exportSecrets(record, open, passphrase, 10)
        const destroy = await c.engine.startOperation('lab', 'destroy', undefined, {
          options: { keepAddons: true },
          confirm: 'lab',
        })
        expect((await c.engine.settled(destroy.id)).state).toBe('done')
        expect(c.clusters.sealedNames(record.id)).toEqual([])
        await c.powerOn()
        // What `clusterdeck restore --secrets FILE` does first: kubeconfig, token and SSH key sealed again.
        const saved: SavedProfile = {
          id: 'profile-k3s',
          name: 'lab',
          distribution: 'k3s',
          profile: c.profile,
          createdAt: record.createdAt,
          updatedAt: record.createdAt,
        }
        const handlers = day2Handlers({
          clusters: c.clusters,
          profiles: { get: () => saved },
          dataDir: c.dataDir,
        })
        expect(
          await handlers['clusters.importSecrets']({
            profile: 'lab',
            content: exported.content,
            key: passphrase,
          }),
        ).toEqual({ cluster: 'lab', names: ['kubeconfig', 'k3s-token', 'ssh-key'] })

        // An etcd snapshot (intact, sha256 trailer and all) is the wrong kind for one server.
        const body = Buffer.from('bbolt pages of some etcd')
        const snapshot = join(dir.path, 'state.db')
        writeFileSync(snapshot, Buffer.concat([body, createHash('sha256').update(body).digest()]))
        const started = await c.engine.startOperation('lab', 'restore', 'cluster-bootstrap', {
          options: { restoreSnapshot: snapshot },
        })
        const refused = await c.engine.settled(started.id)
        expect(
          refused.steps.find((s) => s.stepId === stepIds.k3sServer(c.profile.nodes[0]!.hostname)),
        ).toMatchObject({
          state: 'failed',
          message: expect.stringMatching(
            /is an etcd snapshot, and this cluster keeps its datastore in SQLite/,
          ),
        })
        expect(c.board.armbian.node(0)!.k3sRestoredFrom()).toEqual([])

        copyFileSync(latest.file, snapshot)
        c.engine.resume(started.id)
        const restored = await c.engine.settled(started.id)
        expect(
          restored.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`),
        ).toEqual([])
        expect(c.board.armbian.node(0)!.k3sRestoredFrom()).toEqual([
          { datastore: 'sqlite', bytes: latest.sizeBytes, sha256: latest.sha256 },
        ])
        expect(c.clusters.get('lab').destroyedAt).toBeNull()
        for (const node of c.profile.nodes) {
          const read = await core.readNode({ name: node.hostname })
          expect(read.status?.conditions?.find((x) => x.type === 'Ready')?.status, node.hostname).toBe('True')
        }
      } finally {
        dir.remove()
      }
    }, 300_000)

    it('destroys it wiping the eMMC: every slot off per the BMC, and powered on again it boots nothing', async () => {
      const started = await c.engine.startOperation('lab', 'destroy', undefined, {
        options: { keepAddons: true, wipeEmmc: true },
        confirm: 'lab',
      })
      const done = await c.engine.settled(started.id)
      expect(done.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`)).toEqual(
        [],
      )
      expect(done.state).toBe('done')
      const { nodes } = await c.bmc.status({ boardId: 'board-tp1' })
      for (const [index, node] of c.profile.nodes.entries()) {
        expect(nodes.find((n) => n.node === node.slot)?.poweredOn, node.hostname).toBe(false)
        const reset = done.steps.find((s) => s.stepId === stepIds.reset(node.hostname))!
        expect(reset.message).toBe(`Removed K3s, eMMC /dev/mmcblk0 from ${node.hostname} and powered it off`)
        const log = c.runs.log(done.id, stepIds.reset(node.hostname))
        expect(log).toMatch(/boots from the eMMC \/dev\/mmcblk0/)
        expect(log).toMatch(/wipefs -a -f \/dev\/mmcblk0p1/)
        expect(log).toMatch(/dd if=\/dev\/zero of=\/dev\/mmcblk0 bs=1M count=32/)
        expect(log).toMatch(/echo o > \/proc\/sysrq-trigger/)
        // The slot's image is gone: powered on again, the node boots nothing and answers no SSH.
        expect(c.board.state.snapshot().nodes[index]!.flashed).toBeUndefined()
        await c.bmc.power({ boardId: 'board-tp1', target: node.slot, action: 'on' })
        await waitFor(() => c.board.state.uartText(index).includes(noBootableImage) || undefined, 20_000)
        expect(c.board.armbian.node(index)?.running).toBe(false)
        const { host, port } = c.endpoints[index]!
        await expect(
          new Promise((resolve, reject) => {
            const socket = connect({ host, port }, () => resolve(socket.end()))
            socket.on('error', reject)
          }),
        ).rejects.toThrow(/ECONNREFUSED/)
      }
      expect(c.clusters.get('lab').destroyedAt).not.toBeNull()
    }, 300_000)
  },
)
