// The composition root: opens the data directory and wires the services behind the contract.
// The app and the WebSocket host get their core from here, every domain ready at once; the CLI
// uses lazy-core.ts, which loads the domains only for requests that need them.
import type { EventBus } from './event-bus.ts'
import { baseHandlers, closeCoreBase, logUnexpected, openCoreBase, type AppCoreOptions } from './core-base.ts'
import { createCoreDomains, type CoreDomains } from './core-domains.ts'
import { createDispatcher, type Dispatch } from './dispatcher.ts'

export { appVersion, type AppCoreOptions, type TransportKind } from './core-base.ts'

export interface AppCore extends Omit<CoreDomains, 'handlers' | 'close'> {
  readonly dispatch: Dispatch
  readonly events: EventBus
  readonly dataDir: string
  /** Set when the data directory is open to other users and could not be made private. */
  readonly dataDirNotice: string | undefined
  close(): Promise<void>
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const base = openCoreBase(options)
  const { handlers, close, ...domains } = createCoreDomains(base)
  return {
    ...domains,
    dispatch: createDispatcher({ ...baseHandlers(base), ...handlers }, logUnexpected(base)),
    events: base.events,
    dataDir: options.dataDir,
    dataDirNotice: base.dataDirNotice,
    async close() {
      await close()
      closeCoreBase(base)
    },
  }
}
