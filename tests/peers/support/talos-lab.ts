// The day-2 tests' starting point: a virtual board whose Talos control planes stand on the loopback
// cluster, an Image Factory-shaped image server, the CLI set up as a user would
// (tests/support/talos-cli-setup.ts) and the "lab" profile deployed through its bootstrap.
import { join } from 'node:path'
import { expect } from 'vitest'
import { ClusterRepository } from '../../../src-main/clusters/cluster-repository.ts'
import { openDatabase } from '../../../src-main/store/database.ts'
import type { VirtualBoard } from '../../../src-main/virtual-board/virtual-board-server.ts'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import { startImageServer, type ImageServer } from '../../support/image-server.ts'
import { runCli } from '../../support/run-cli.ts'
import { setUpTalosDeploy } from '../../support/talos-cli-setup.ts'
import { makeTempDir } from '../../support/temp-dir.ts'
import type { ProvidedCluster } from './cluster-setup.ts'
import { startLoopbackBoard } from './loopback-board.ts'

export interface TalosLab {
  board: VirtualBoard
  images: ImageServer
  dir: string
  /** The CLI's environment (its own data directory, no BMC password prompt). */
  env: NodeJS.ProcessEnv
  /** The cluster record of "lab" in the CLI's database, as it is now. */
  record(): ClusterRecord
  close(): Promise<void>
}

export async function deployTalosLab(options: {
  cluster: ProvidedCluster
  tools: { talosctl: string; helm?: string }
  /** The profile's Kubernetes version (default: the template's). */
  kubernetes?: string
}): Promise<TalosLab> {
  const board = await startLoopbackBoard(options.cluster)
  const images = await startImageServer()
  const temp = makeTempDir()
  const env = { CLUSTERDECK_HOME: join(temp.path, 'home'), CLUSTERDECK_BMC_PASSWORD: '' }
  const close = async () => {
    await board.close()
    await images.close()
    temp.remove()
  }
  try {
    await setUpTalosDeploy({
      env,
      board,
      dir: temp.path,
      tools: options.tools,
      factoryImages: images,
      kubernetes: options.kubernetes,
    })
    const deployed = await runCli(['deploy', 'lab', '--through', 'cluster-bootstrap'], { env })
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
  } catch (error) {
    await close()
    throw error
  }
  const record = () => {
    const db = openDatabase(env.CLUSTERDECK_HOME)
    try {
      return new ClusterRepository(db).find('lab')!
    } finally {
      db.close()
    }
  }
  return { board, images, dir: temp.path, env, record, close }
}
