// The composition root: opens the data directory and wires the services behind the contract.
// Every transport (Electron IPC, the WebSocket host, the CLI) gets its core from here.
import { BoardRepository } from '../boards/board-repository.ts'
import { BoardService } from '../boards/board-service.ts'
import type { SecretStore } from '../secrets/secret-store.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { createDispatcher, type Dispatch } from './dispatcher.ts'
import { EventBus } from './event-bus.ts'
import { createFileLogger } from './file-logger.ts'

export const appVersion = '0.1.0'

export type TransportKind = 'electron' | 'websocket' | 'cli'

export interface AppCoreOptions {
  dataDir: string
  secrets: SecretStore
  transport: TransportKind
}

export interface AppCore {
  readonly dispatch: Dispatch
  readonly events: EventBus
  readonly dataDir: string
  close(): void
}

export function createAppCore({ dataDir, secrets, transport }: AppCoreOptions): AppCore {
  const db: Db = openDatabase(dataDir)
  const events = new EventBus()
  const logger = createFileLogger(dataDir)
  const boards = new BoardService(new BoardRepository(db), secrets, events)

  const dispatch = createDispatcher(
    {
      'system.info': async () => ({
        version: appVersion,
        dataDir,
        transport,
        secrets: await secrets.status(),
      }),
      'boards.list': () => boards.list(),
      'boards.get': ({ ref }) => boards.get(ref),
      'boards.add': (input) => boards.add(input),
      'boards.update': (input) => boards.update(input),
      'boards.remove': ({ id }) => boards.remove(id),
    },
    (name, error) =>
      logger.error('request.failed', {
        request: name,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
  )

  return { dispatch, events, dataDir, close: () => db.close() }
}
