// Virtual Armbian nodes for tests: flash an Armbian image onto a virtual board's node, power it on,
// read where its SSH answers from its console, and run the K3s steps' actions on it through the
// app's own node shells, as the step runner does (check, apply, check again).
import type { NodeAction } from '../../src-shared/k3s/remote-command.ts'
import { parseVirtualSshLine } from '../../src-shared/k3s/ssh-endpoint.ts'
import type { HostKeyPin, HostKeyStore } from '../../src-main/ssh/host-keys.ts'
import { createNodeShells, type NodeShell, type NodeShells } from '../../src-main/ssh/node-shell.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { api, isFinished, pollFlash, startFlash, upload } from '../integration/virtual-board-helpers.ts'
import { armbianDiskImage, sha256 } from './make-image.ts'
import { MemorySecretStore } from './memory-secret-store.ts'
import { waitFor } from './virtual-bmc.ts'

export const armbianFileName = 'Armbian_25.8.1_Turing-rk1_trixie_vendor_6.1.115_minimal.img'

const sshLines = (text: string) => text.split('clusterdeck virtual node: SSH at').length - 1

/** Writes an Armbian image to the node (0-based), which leaves it off. */
export async function flashArmbian(board: VirtualBoard, token: string, index: number): Promise<void> {
  const image = armbianDiskImage()
  const query = `node=${index}&file=${armbianFileName}&length=${image.length}&sha256=${sha256(image)}`
  const handle = await startFlash(board, token, query)
  const polling = pollFlash(board, token, isFinished, { intervalMs: 5 })
  await upload(board, token, handle, image, { fileName: armbianFileName, chunkBytes: 4 * 1024 * 1024 })
  await polling
}

/** Powers the node on and waits for its next login prompt; where its SSH answers. */
export async function powerOnArmbian(
  board: VirtualBoard,
  token: string,
  index: number,
): Promise<{ host: string; port: number }> {
  const before = sshLines(board.state.uartText(index))
  await api(board, token, `opt=set&type=power&node${index + 1}=1`)
  return waitForArmbianBoot(board, index, before + 1)
}

/** Waits until the console shows the `boots`-th SSH line and the login prompt after it. */
export async function waitForArmbianBoot(
  board: VirtualBoard,
  index: number,
  boots: number,
): Promise<{ host: string; port: number }> {
  return waitFor(() => {
    const text = board.state.uartText(index)
    return (sshLines(text) >= boots && /login: $/.test(text) && parseVirtualSshLine(text)) || undefined
  }, 20_000)
}

export function memoryHostKeys(): HostKeyStore & { pins: Map<string, HostKeyPin> } {
  const pins = new Map<string, HostKeyPin>()
  return {
    pins,
    find: (host, port) => pins.get(`${host}:${port}`),
    pin: (host, port, algorithm, fingerprint) =>
      void pins.set(`${host}:${port}`, {
        host,
        port,
        algorithm,
        fingerprint,
        pinnedAt: new Date().toISOString(),
      }),
  }
}

/** The app's node shells (src-main/ssh/node-shell.ts) with pins and node passwords held in memory. */
export function memoryNodeShells(hostKeys: HostKeyStore, secrets = new MemorySecretStore()): NodeShells {
  return createNodeShells({ hostKeys, secrets, sshConfig: () => [], agentSocket: undefined })
}

/** A node shell to a virtual node, as a K3s step opens it. */
export function openShell(
  shells: NodeShells,
  endpoint: { host: string; port: number },
  options: { clusterKey: string; password?: string; user?: string; log?: string[] },
): Promise<NodeShell> {
  return shells.open({
    endpoint: { hostname: endpoint.host, ...endpoint },
    profileName: 'lab',
    clusterKey: options.clusterKey,
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    log: (line) => options.log?.push(line),
    secrets: [],
    signal: new AbortController().signal,
  })
}

/** What the step runner does: converge each action, and require its check to pass afterwards. */
export async function converge(shell: NodeShell, actions: NodeAction[]): Promise<string[]> {
  const applied: string[] = []
  for (const action of actions) {
    if ((await shell.converge(action)) === 'already') continue
    const check = await shell.run(action.check)
    if (check.exitCode !== 0)
      throw new Error(`${action.id}: the check still fails after apply: ${check.stderr}`)
    applied.push(action.id)
  }
  return applied
}
