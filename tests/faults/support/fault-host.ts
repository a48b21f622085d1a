// The WebSocket host in this process over real sockets, with a real core on a temporary data
// directory. The keychain is not what these tests exercise, so it is kept in memory.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createAppCore, type AppCore } from '../../../src-main/core/app-core.ts'
import { startWsHost, type WsHost, type WsHostLimits } from '../../../src-main/transport/ws-host.ts'
import { MemorySecretStore } from '../../support/memory-secret-store.ts'
import { makeTempDir } from '../../support/temp-dir.ts'

export interface FaultHost {
  readonly host: WsHost
  readonly core: AppCore
  readonly token: string
  close(): Promise<void>
}

/**
 * env is set only while the core is created (it reads it then), e.g. CLUSTERDECK_FACTORY_URL;
 * limits tighten the host's bounds so a test reaches them quickly.
 */
export async function startFaultHost({
  env = {},
  limits = {},
}: { env?: Record<string, string>; limits?: Partial<WsHostLimits> } = {}): Promise<FaultHost> {
  const dir = makeTempDir('clusterdeck-faults-')
  const rendererDir = join(dir.path, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>fault host</title>')
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]))
  Object.assign(process.env, env)
  let core: AppCore
  try {
    core = createAppCore({
      dataDir: join(dir.path, 'data'),
      secrets: new MemorySecretStore(),
      transport: 'websocket',
    })
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
  const host = await startWsHost({ core, rendererDir, limits })
  return {
    host,
    core,
    token: new URL(host.url).hash.replace('#token=', ''),
    async close() {
      await host.close()
      await core.close()
      dir.remove()
    },
  }
}
