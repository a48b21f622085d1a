// Virtual Armbian nodes for tests: flash an Armbian image onto a virtual board's node, power it on,
// read where its SSH answers from its console, and run the K3s steps' commands on it with the
// app's own SSH client, as the step runner does (check, apply, check again).
import type { NodeAction, RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import { shellQuote } from '../../src-shared/k3s/remote-command.ts'
import { parseVirtualSshLine } from '../../src-shared/k3s/ssh-endpoint.ts'
import type { HostKeyPin, HostKeyStore } from '../../src-main/ssh/host-keys.ts'
import type { ExecResult } from '../../src-main/ssh/ssh-exec.ts'
import type { SshConnection } from '../../src-main/ssh/ssh-connection.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { api, isFinished, pollFlash, startFlash, upload } from '../integration/virtual-board-helpers.ts'
import { armbianDiskImage, sha256 } from './make-image.ts'
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

/**
 * One step command. Its stdin goes through a pipe inside the command, since the SSH layer runs
 * commands with stdin from /dev/null (src-main/ssh/ssh-exec.ts); the channel's own stdin is
 * tested separately with ssh2's client.
 */
export function run(connection: SshConnection, command: RemoteCommand): Promise<ExecResult> {
  const line =
    command.stdin === undefined
      ? command.command
      : `printf '%s' ${shellQuote(command.stdin)} | { ${command.command}; }`
  return connection.exec(line, { timeoutMs: 60_000 })
}

/** What the step runner does: apply where the check fails, then require the check to pass. */
export async function converge(connection: SshConnection, actions: NodeAction[]): Promise<string[]> {
  const applied: string[] = []
  for (const action of actions) {
    if ((await run(connection, action.check)).exitCode === 0) continue
    for (const command of action.apply) {
      const result = await run(connection, command)
      if (result.exitCode !== 0)
        throw new Error(`${action.id}: "${command.command}" exited ${result.exitCode}: ${result.stderr}`)
    }
    const check = await run(connection, action.check)
    if (check.exitCode !== 0)
      throw new Error(`${action.id}: the check still fails after apply: ${check.stderr}`)
    applied.push(action.id)
  }
  return applied
}
