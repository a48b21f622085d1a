// `clusterdeck deploy` of a Talos profile as a process, killed (SIGKILL, as a crash would) while a
// node takes its config and again while etcd is bootstrapped, then resumed: the cluster comes up
// with one bootstrap in total, and the killed processes' private talosctl folders are swept.
// Skipped where the peers are not built.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { findPeers } from '../support/peers.ts'
import { runCli } from '../support/run-cli.ts'
import { setUpTalosDeploy } from '../support/talos-cli-setup.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { startLoopbackBoard } from './support/loopback-board.ts'

const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
const cluster = inject('loopbackCluster')
const peers = findPeers(['talosctl'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv

/** Starts `clusterdeck deploy lab …` and kills it with SIGKILL once its output matches `until`. */
function deployKilledAt(args: string[], until: RegExp): Promise<{ stdout: string; pid: number }> {
  const child = spawn(process.execPath, [bin, 'deploy', 'lab', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (until.test(stdout)) {
        child.kill('SIGKILL')
        resolve({ stdout, pid: child.pid! })
      }
    })
    child.on('exit', () => reject(new Error(`deploy ended before it could be killed:\n${stdout}`)))
  })
}

describe.skipIf(skip)(
  `clusterdeck deploy through the Talos bootstrap${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    beforeAll(async () => {
      board = await startLoopbackBoard(cluster)
      dir = makeTempDir()
      env = { CLUSTERDECK_HOME: join(dir.path, 'home'), CLUSTERDECK_BMC_PASSWORD: '' }
      await setUpTalosDeploy({
        env,
        board,
        dir: dir.path,
        tools: { talosctl: peers.ok ? peers.binaries.talosctl : '' },
      })
    })

    afterAll(async () => {
      await board?.close()
      dir?.remove()
    })

    it('resumes a deploy killed during apply and during bootstrap, bootstrapping once', async () => {
      // Through the bootstrap only: the add-ons are tests/peers/talos-lifecycle.test.ts's.
      const duringApply = await deployKilledAt(
        ['--through', 'cluster-bootstrap'],
        /▶ Apply the control-plane config to turing-cp1/,
      )
      expect(duringApply.stdout).toMatch(/✓ Generate machine configs/)

      const duringBootstrap = await deployKilledAt(['--resume'], /▶ Bootstrap etcd on turing-cp1/)
      expect(duringBootstrap.stdout).not.toMatch(/✓ Bootstrap etcd/)

      const resumed = await runCli(['deploy', 'lab', '--resume'], { env })
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      expect(resumed.stdout).toMatch(
        /✓ Wait for every node to be Ready — All 4 nodes are Ready in Kubernetes/,
      )
      expect(resumed.stdout).toMatch(/Run done: Finished Cluster bootstrap\./)
      const bootstraps = [0, 1, 2, 3].reduce((sum, i) => sum + (board.talos.node(i)?.bootstraps ?? 0), 0)
      expect(bootstraps).toBe(1)
      // What the killed processes left in their private folders was removed by the next one.
      const left = readdirSync(tmpdir()).filter((name) =>
        [duringApply.pid, duringBootstrap.pid].some((pid) => name.startsWith(`clusterdeck-talos-${pid}-`)),
      )
      expect(left).toEqual([])
    })
  },
)
