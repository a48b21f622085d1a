// The core as the CLI uses it: the saved boards at once, every other domain loaded by the first
// request that needs it (core-domains.ts), so `clusterdeck board list` starts in a fraction of the
// time the whole core takes to load (docs/benchmarks.md, CLI start-up).
import { requests, type RequestName } from '../../src-shared/contract/index.ts'
import {
  baseHandlers,
  baseRequestNames,
  closeCoreBase,
  logUnexpected,
  openCoreBase,
  type AppCoreOptions,
  type BaseRequestName,
} from './core-base.ts'
import type { CoreDomains } from './core-domains.ts'
import { createDispatcher, type Dispatch, type Handlers } from './dispatcher.ts'
import type { EventBus } from './event-bus.ts'

export interface LazyCore {
  readonly dispatch: Dispatch
  readonly events: EventBus
  readonly dataDir: string
  /** Set when the data directory is open to other users and could not be made private. */
  readonly dataDirNotice: string | undefined
  /** The other domains, loaded on first use. */
  domains(): Promise<Omit<CoreDomains, 'handlers' | 'close'>>
  close(): Promise<void>
}

export function createLazyCore(options: AppCoreOptions): LazyCore {
  const base = openCoreBase(options)
  let loading: Promise<CoreDomains> | undefined
  const domains = () =>
    (loading ??= import('./core-domains.ts').then(({ createCoreDomains }) => createCoreDomains(base)))
  const ready = baseHandlers(base)
  const handlers = Object.fromEntries(
    (Object.keys(requests) as RequestName[]).map((name) => [
      name,
      isBaseRequest(name)
        ? ready[name]
        : async (input: unknown) => {
            const handler = (await domains()).handlers[name] as (input: unknown) => unknown
            return handler(input)
          },
    ]),
  ) as Handlers
  return {
    dispatch: createDispatcher(handlers, logUnexpected(base)),
    events: base.events,
    dataDir: options.dataDir,
    dataDirNotice: base.dataDirNotice,
    domains,
    async close() {
      await (await loading)?.close()
      closeCoreBase(base)
    },
  }
}

function isBaseRequest(name: RequestName): name is BaseRequestName {
  return (baseRequestNames as readonly string[]).includes(name)
}
