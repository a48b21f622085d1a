// The app as a browser sees it: the real core over a temporary data directory, the real OS
// keychain (under a service name of its own, so parallel runs and other test files never share
// entries) and the WebSocket host serving the built renderer on 127.0.0.1.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { RequestName, RequestOutput } from '../../../src-shared/contract/index.ts'
import { createAppCore, type AppCore } from '../../../src-main/core/app-core.ts'
import { KeyringSecretStore } from '../../../src-main/secrets/keyring-secret-store.ts'
import { boardPasswordAccount } from '../../../src-main/secrets/secret-store.ts'
import { startWsHost } from '../../../src-main/transport/ws-host.ts'

export const rendererDir = join(import.meta.dirname, '..', '..', '..', 'out', 'renderer')

export interface AppHost {
  /** The address to open, token included. */
  readonly url: string
  /** The same page without the token. */
  readonly origin: string
  readonly dataDir: string
  readonly secrets: KeyringSecretStore
  readonly core: AppCore
  /** Calls the core directly, failing the test on an error result. */
  request<N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>>
  /** The board's BMC password as the keychain holds it, or null. */
  storedPassword(board: Board): Promise<string | null>
  /** Stops the host, deletes every keychain entry of the saved boards, removes the data directory. */
  close(): Promise<void>
}

export interface AppHostOptions {
  /**
   * Environment for the core, such as CLUSTERDECK_FACTORY_URL or CLUSTERDECK_GITHUB_API_URL: the
   * core reads it once, when it is created, so it is set only for that moment.
   */
  env?: Record<string, string>
}

export async function startAppHost(label: string, { env = {} }: AppHostOptions = {}): Promise<AppHost> {
  const dataDir = await mkdtemp(join(tmpdir(), `clusterdeck-e2e-${label}-`))
  const service = `clusterdeck-e2e-${label}-${process.pid}-${randomBytes(4).toString('hex')}`
  const secrets = new KeyringSecretStore(service)
  const status = await secrets.status()
  if (!status.available) {
    await rm(dataDir, { recursive: true, force: true })
    throw new Error(`${status.notice ?? 'No keychain.'} Run the e2e tests through scripts/test.sh.`)
  }
  const core = withEnv(env, () => createAppCore({ dataDir, secrets, transport: 'websocket' }))
  const host = await startWsHost({ core, rendererDir })

  async function request<N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>> {
    const result = await core.dispatch(name, input)
    if (!result.ok) throw new Error(`${name} failed: ${result.error.message}`)
    return result.value as RequestOutput<N>
  }

  return {
    url: host.url,
    origin: `http://127.0.0.1:${host.port}/`,
    dataDir,
    secrets,
    core,
    request,
    storedPassword: (board) => secrets.get(boardPasswordAccount(board.id)),
    async close() {
      await host.close()
      const leftovers = await request('boards.list', {})
      await Promise.all(leftovers.map((board) => secrets.delete(boardPasswordAccount(board.id))))
      await core.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

function withEnv<T>(env: Record<string, string>, create: () => T): T {
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const)
  Object.assign(process.env, env)
  try {
    return create()
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}
