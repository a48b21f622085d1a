// What every use of the core needs, and nothing more: the data directory's database, the event
// bus, the log and the saved boards. The CLI's `board` commands run on this alone; the other
// domains (core-domains.ts) are loaded only by requests that need them, so a short command does not
// pay for HTTP clients, image tools and the lifecycle engine (docs/benchmarks.md, CLI start-up).
import { BoardRepository } from '../boards/board-repository.ts'
import { BoardService } from '../boards/board-service.ts'
import type { SecretStore } from '../secrets/secret-store.ts'
import { prepareDataDir } from '../store/data-dir.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { virtualBoardCredentials } from '../virtual-board/virtual-board-credentials.ts'
import type { Handlers } from './dispatcher.ts'
import { EventBus } from './event-bus.ts'
import { createFileLogger } from './file-logger.ts'

export const appVersion = '0.1.0'

export type TransportKind = 'electron' | 'websocket' | 'cli'

export interface AppCoreOptions {
  dataDir: string
  secrets: SecretStore
  transport: TransportKind
  /** How often a running flash asks the BMC for its state (tests shorten it). */
  flashPollIntervalMs?: number
  /** How often a boot wait looks at the node (tests shorten it). */
  bootPollMs?: number
}

export interface CoreBase {
  readonly options: AppCoreOptions
  readonly db: Db
  readonly events: EventBus
  readonly logger: ReturnType<typeof createFileLogger>
  readonly boards: BoardService
  /** Set when the data directory is open to other users and could not be made private. */
  readonly dataDirNotice: string | undefined
}

export const baseRequestNames = [
  'system.info',
  'boards.list',
  'boards.get',
  'boards.add',
  'boards.update',
  'boards.trustCertificate',
  'boards.remove',
] as const

export type BaseRequestName = (typeof baseRequestNames)[number]

export function openCoreBase(options: AppCoreOptions): CoreBase {
  const dataDirNotice = prepareDataDir(options.dataDir)
  const db = openDatabase(options.dataDir)
  const events = new EventBus()
  const logger = createFileLogger(options.dataDir)
  if (dataDirNotice) logger.error('data_dir.not_private', { message: dataDirNotice })
  const boards = new BoardService(new BoardRepository(db), options.secrets, events, {
    virtualBoardPassword: virtualBoardCredentials.password,
  })
  return { options, db, events, logger, boards, dataDirNotice }
}

export function baseHandlers({ options, boards }: CoreBase): Pick<Handlers, BaseRequestName> {
  return {
    'system.info': async () => ({
      version: appVersion,
      dataDir: options.dataDir,
      transport: options.transport,
      secrets: await options.secrets.status(),
    }),
    'boards.list': () => boards.list(),
    'boards.get': ({ ref }) => boards.get(ref),
    'boards.add': (input) => boards.add(input),
    'boards.update': (input) => boards.update(input),
    'boards.trustCertificate': ({ id, certificateSha256 }) => boards.trustCertificate(id, certificateSha256),
    'boards.remove': ({ id }) => boards.remove(id),
  }
}

/** The dispatcher's log line for a request that failed unexpectedly. */
export function logUnexpected(base: CoreBase): (name: string, error: unknown) => void {
  return (name, error) =>
    base.logger.error('request.failed', {
      request: name,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    })
}

export function closeCoreBase(base: CoreBase): void {
  base.options.secrets.close?.()
  base.db.close()
}
