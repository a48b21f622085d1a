// A virtual board's Talos control plane standing on the loopback cluster (loopbackBackends): the
// real talosctl configures and bootstraps it, `talosctl kubeconfig` hands out a kubeconfig with
// which the app's node-readiness reader sees both configured nodes Ready, `talosctl etcd snapshot`
// saves a snapshot of the loopback etcd that talosctl accepts, and a reset worker leaves.
// Skipped, with the reason, where scripts/peers.sh could not build the peers.
import { execFile } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { parse } from 'yaml'
import { listNodeReadiness } from '../../src-main/kube/kube-nodes.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { loopbackBackends } from '../../src-main/virtual-talos/loopback-backends.ts'
import {
  api,
  isFinished,
  login,
  pollFlash,
  startFlash,
  upload,
} from '../integration/virtual-board-helpers.ts'
import { sha256, talosDiskImage } from '../support/make-image.ts'
import { findPeers } from '../support/peers.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { closeAll, startBoard, waitFor } from '../support/virtual-bmc.ts'

const cluster = inject('loopbackCluster')
const peers = findPeers(['talosctl'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)

describe.skipIf(skip !== undefined)(
  `a virtual control plane on the loopback cluster${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const dir = makeTempDir()
    const talosconfig = join(dir.path, 'talosconfig')
    let board: VirtualBoard
    let token: string
    let cp: string
    let worker: string

    const talosctl = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const binary = peers.ok ? peers.binaries.talosctl : ''
        const env = { ...process.env, HOME: dir.path }
        execFile(binary, args, { timeout: 60_000, cwd: dir.path, env }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        )
      })
    const ok = async (...args: string[]) => {
      const run = await talosctl(...args)
      if (run.code !== 0) throw new Error(`talosctl ${args.join(' ')} failed: ${run.stderr}`)
      return run.stdout
    }
    const secure = (address: string, ...args: string[]) =>
      ok('--talosconfig', talosconfig, '-e', address, '-n', address, ...args)

    /** Flashes a Talos image onto the node, powers it on and reads its API address from the console. */
    async function bootTalos(index: number): Promise<string> {
      const image = talosDiskImage()
      const query = `node=${index}&file=metal-arm64-v1.12.0.raw&length=${image.length}&sha256=${sha256(image)}`
      const handle = await startFlash(board, token, query)
      const polling = pollFlash(board, token, isFinished, { intervalMs: 5 })
      await upload(board, token, handle, image, {
        fileName: 'metal-arm64-v1.12.0.raw',
        chunkBytes: 1024 * 1024,
      })
      await polling
      await api(board, token, `opt=set&type=power&node${index + 1}=1`)
      const text = await waitFor(() => {
        const uart = board.state.uartText(index)
        return uart.includes('server certificate issued') && uart
      })
      return /this machine is reachable at:\r\n\[[ \d.]+\] \[talos\] \t(127\.0\.0\.\d+)/.exec(text)![1]!
    }

    beforeAll(async () => {
      const talosBackends = await loopbackBackends({
        kubeconfigPath: cluster.kubeconfigPath,
        etcdEndpoint: cluster.etcdEndpoint,
      })
      board = await startBoard({ firmware: '2.1', talosBackends })
      token = await login(board)
      cp = await bootTalos(0)
      worker = await bootTalos(1)

      await ok('gen', 'secrets', '-o', join(dir.path, 'secrets.yaml'))
      const secrets = join(dir.path, 'secrets.yaml')
      await ok('gen', 'config', 'lab', `https://${cp}:6443`, '--with-secrets', secrets, '--output', dir.path)
      for (const [role, hostname, address] of [
        ['controlplane', 'lab-cp-1', cp],
        ['worker', 'lab-worker-1', worker],
      ] as const) {
        const patch = join(dir.path, `${role}.patch.yaml`)
        writeFileSync(patch, `apiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\nhostname: ${hostname}\n`)
        const config = join(dir.path, `${hostname}.yaml`)
        await ok(
          'machineconfig',
          'patch',
          join(dir.path, `${role}.yaml`),
          '--patch',
          `@${patch}`,
          '--output',
          config,
        )
        await ok('apply-config', '--insecure', '-n', address, '-e', address, '-f', config)
      }
      await waitFor(() => board.state.uartText(0).includes('boot sequence: done'))
      await secure(cp, 'bootstrap')
    })

    afterAll(async () => {
      await closeAll()
      dir.remove()
    })

    it('talosctl kubeconfig hands out the loopback API, where both configured nodes turn Ready', async () => {
      const kubeconfig = await secure(cp, 'kubeconfig', '-')
      expect(parse(kubeconfig)['current-context']).toBe('admin@lab')
      await vi.waitFor(
        async () => {
          const nodes = await listNodeReadiness(kubeconfig)
          expect(nodes).toContainEqual({ name: 'lab-cp-1', ready: true, reason: '' })
          expect(nodes).toContainEqual({ name: 'lab-worker-1', ready: true, reason: '' })
        },
        { timeout: 60_000, interval: 500 },
      )
    })

    it('talosctl etcd snapshot saves a snapshot of the loopback etcd that talosctl accepts', async () => {
      const path = join(dir.path, 'etcd.snapshot')
      const output = await secure(cp, 'etcd', 'snapshot', path)
      expect(output).toMatch(/snapshot info: hash [0-9a-f]+, revision \d+, total keys \d+/)
      expect(statSync(path).size % 512).toBe(32)
    })

    it('a reset worker leaves Kubernetes', async () => {
      const kubeconfig = await secure(cp, 'kubeconfig', '-')
      await secure(worker, 'reset', '--wait=false', '--graceful=false')
      await vi.waitFor(
        async () =>
          expect((await listNodeReadiness(kubeconfig)).map((node) => node.name)).not.toContain(
            'lab-worker-1',
          ),
        { timeout: 30_000, interval: 500 },
      )
    })
  },
)
