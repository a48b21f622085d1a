// Everything the core does beyond the saved boards: the BMC, flashing, the image library and its
// downloads, Armbian and the Talos Image Factory, the virtual board, profiles and the lifecycle.
// Built on a CoreBase; the app builds it at once (app-core.ts), the CLI on first need (lazy-core.ts).
import { chartMirrorFrom, chartMirrorVariable } from '../addons/chart-mirror.ts'
import { BmcConnector } from '../bmc/bmc-connector.ts'
import { BmcService } from '../bmc/bmc-service.ts'
import { SerialConsoles } from '../bmc/serial-consoles.ts'
import { ClusterHealthService } from '../clusters/cluster-health-service.ts'
import type { ClusterService } from '../clusters/cluster-service.ts'
import { releaseCharts } from '../clusters/release-charts.ts'
import { FlashHistory } from '../flash/flash-history.ts'
import { FlashService } from '../flash/flash-service.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { ArmbianCatalog } from '../images/armbian-catalog.ts'
import { DownloadService } from '../images/download-service.ts'
import { ImageCache } from '../images/image-cache.ts'
import { ImageService } from '../images/image-service.ts'
import { TalosFactoryClient } from '../images/talos-factory-client.ts'
import { TalosFactoryService } from '../images/talos-factory-service.ts'
import type { LifecycleEngine } from '../lifecycle/lifecycle-engine.ts'
import { createLifecycle } from '../lifecycle/lifecycle-handlers.ts'
import { createImageFetcher } from '../lifecycle/steps/fetch-image.ts'
import { NodeService } from '../nodes/node-service.ts'
import { ProfileRepository } from '../profiles/profile-repository.ts'
import { ProfileService } from '../profiles/profile-service.ts'
import { HostKeyRepository } from '../ssh/host-keys.ts'
import { createNodeShells } from '../ssh/node-shell.ts'
import { loadSshConfig, type SshConfigBlock } from '../ssh/ssh-config.ts'
import { SettingsStore } from '../store/settings-store.ts'
import { pinnedTools } from '../tools/tool-manifest.ts'
import { ToolsService } from '../tools/tools-service.ts'
import { EmbeddedVirtualBoard } from '../virtual-board/embedded-virtual-board.ts'
import { presetPath, renderFirstBootPreset } from '../../src-shared/armbian/first-boot-preset.ts'
import type { BaseRequestName, CoreBase } from './core-base.ts'
import type { Handlers } from './dispatcher.ts'

export interface CoreDomains {
  readonly flash: FlashService
  readonly images: ImageService
  readonly imageCache: ImageCache
  readonly downloads: DownloadService
  readonly lifecycle: LifecycleEngine
  readonly virtualBoard: EmbeddedVirtualBoard
  readonly tools: ToolsService
  readonly clusters: ClusterService
  readonly handlers: Omit<Handlers, BaseRequestName>
  close(): Promise<void>
}

export function createCoreDomains({ options, db, events, boards }: CoreBase): CoreDomains {
  const { dataDir, secrets, flashPollIntervalMs, bootPollMs } = options
  const connector = new BmcConnector(boards)
  const bmc = new BmcService(connector)
  const serialConsoles = new SerialConsoles({ connector, events })
  const cache = new ImageCache(db, dataDir, undefined, diskReserveFromEnv())
  const images = new ImageService(cache, events)
  // The Armbian source is configurable for tests and mirrors; the token is only ever a header.
  const armbian = new ArmbianCatalog({
    db,
    cache,
    ...(process.env.CLUSTERDECK_GITHUB_API_URL ? { apiUrl: process.env.CLUSTERDECK_GITHUB_API_URL } : {}),
    ...(process.env.CLUSTERDECK_GITHUB_TOKEN ? { token: process.env.CLUSTERDECK_GITHUB_TOKEN } : {}),
  })
  const downloads = new DownloadService({
    db,
    cache,
    dataDir,
    events,
    knownChecksums: armbian.knownChecksums,
    ...(process.env.CLUSTERDECK_DOWNLOAD_TIMEOUT_MS
      ? { timeoutMs: Number(process.env.CLUSTERDECK_DOWNLOAD_TIMEOUT_MS) }
      : {}),
  })
  // The factory is configurable for tests and self-hosted factories.
  const factory = new TalosFactoryService(
    db,
    new TalosFactoryClient({
      ...(process.env.CLUSTERDECK_FACTORY_URL ? { baseUrl: process.env.CLUSTERDECK_FACTORY_URL } : {}),
      ...(process.env.CLUSTERDECK_FACTORY_TIMEOUT_MS
        ? { timeoutMs: Number(process.env.CLUSTERDECK_FACTORY_TIMEOUT_MS) }
        : {}),
    }),
  )
  const virtualBoard = new EmbeddedVirtualBoard(boards, events, dataDir)
  const tools = new ToolsService({ dataDir, settings: new SettingsStore(db), events, manifest: pinnedTools })
  const history = new FlashHistory(db)
  const flash = new FlashService({
    boards,
    connector,
    images: cache,
    history,
    events,
    ...(flashPollIntervalMs ? { pollIntervalMs: flashPollIntervalMs } : {}),
  })
  // One SSH layer for the K3s steps and the node service: the host-key pins, ~/.ssh/config (read on
  // first use), and the keychain holding each profile's node password.
  const hostKeys = new HostKeyRepository(db)
  let sshConfigBlocks: SshConfigBlock[] | undefined
  const sshConfig = () => (sshConfigBlocks ??= loadSshConfig())
  const nodeShells = createNodeShells({ hostKeys, secrets, sshConfig })
  const lifecycle = createLifecycle({
    db,
    dataDir,
    secrets,
    events,
    boards,
    bmc,
    flash,
    history,
    cache,
    fetchImage: createImageFetcher({ cache, downloads, factory, armbian }),
    tools,
    chartMirror: chartMirrorFrom(process.env[chartMirrorVariable]),
    ...(bootPollMs ? { bootPollMs } : {}),
  })
  const nodes = new NodeService({
    profiles: new ProfileService(new ProfileRepository(db), boards, events),
    clusters: lifecycle.clusters,
    shells: nodeShells,
    hostKeys,
    secrets,
    sshConfig,
  })
  const health = new ClusterHealthService({
    clusters: lifecycle.clusters,
    profiles: new ProfileRepository(db),
    events,
    charts: releaseCharts(tools, dataDir),
  })

  return {
    flash,
    images,
    imageCache: cache,
    downloads,
    lifecycle: lifecycle.engine,
    virtualBoard,
    tools,
    clusters: lifecycle.clusters,
    handlers: {
      'bmc.status': (input) => bmc.status(input),
      'bmc.info': (input) => bmc.info(input),
      'bmc.power': (input) => bmc.power(input),
      'bmc.usb': (input) => bmc.usb(input),
      'bmc.uart.read': (input) => bmc.readUart(input),
      'bmc.uart.send': (input) => bmc.sendUart(input),
      'bmc.serial.attach': (input) => serialConsoles.attach(input),
      'bmc.serial.send': (input) => serialConsoles.send(input),
      'bmc.reboot': (input) => bmc.reboot(input),
      'bmc.certificate': ({ boardId }) => connector.certificate(boardId),
      'flash.start': (input) => flash.start(input),
      'flash.cancel': ({ jobId }) => flash.cancel(jobId),
      'flash.jobs': () => flash.list(),
      'flash.history': ({ boardId, node }) => history.list(boardId, node),
      'images.list': () => images.list(),
      'images.importFile': ({ path, importId }) => images.importFile(path, undefined, importId),
      'images.usage': () => images.usage(),
      'images.remove': ({ ref }) => images.remove(ref),
      'images.pin': ({ ref, pinned }) => images.pin(ref, pinned),
      'images.settings': () => images.settings(),
      'images.updateSettings': (changes) => images.updateSettings(changes),
      'images.pull': (request) => downloads.pull(request),
      'images.downloads': () => downloads.list(),
      'images.cancelDownload': ({ id }) => downloads.cancel(id),
      'armbian.images': (request) => armbian.images(request),
      'armbian.firstBootPreset': (preset) => {
        const rendered = renderFirstBootPreset(preset)
        return { path: presetPath, ...rendered }
      },
      'factory.versions': ({ refresh }) => factory.versions(refresh),
      'factory.extensions': ({ version, refresh }) => factory.extensions(version, refresh),
      'factory.overlays': ({ version, refresh }) => factory.overlays(version, refresh),
      'factory.schematic.resolve': (request) => factory.resolve(request),
      'factory.schematics.list': () => factory.listSchematics(),
      'factory.schematics.save': ({ name, schematic }) => factory.saveSchematic(name, schematic),
      'factory.schematics.remove': ({ name }) => factory.removeSchematic(name),
      'virtualBoard.start': (input) => virtualBoard.start(input),
      'virtualBoard.stop': () => virtualBoard.stop(),
      'virtualBoard.status': () => virtualBoard.status(),
      'tools.list': ({ forVersion }) => tools.list(forVersion),
      'tools.install': ({ tool, version, forVersion }) =>
        tools.install(tool, { ...(version ? { version } : {}), ...(forVersion ? { forVersion } : {}) }),
      'tools.remove': async ({ tool, version }) => {
        await tools.remove(tool, version)
        return {}
      },
      'tools.setPath': async ({ tool, path }) => {
        await tools.setPath(tool, path)
        return {}
      },
      ...lifecycle.handlers,
      'clusters.health': ({ ref }) => health.health(ref),
      'nodes.exec': (input) => nodes.exec(input),
      'nodes.hostKey': (input) => nodes.hostKey(input),
      'nodes.trustHostKey': (input) => nodes.trustHostKey(input),
      'nodes.setPassword': (input) => nodes.setPassword(input),
      'nodes.clearPassword': (input) => nodes.clearPassword(input),
    },
    async close() {
      await lifecycle.engine.stopAll()
      await health.close()
      await flash.cancelAll()
      await downloads.close()
      await armbian.close()
      serialConsoles.close()
      await connector.close()
      await virtualBoard.close()
      await tools.close()
    },
  }
}

/** The free space image imports leave on the disk: settable for small disks and for tests. */
function diskReserveFromEnv(): { diskReserveBytes?: number } {
  const text = process.env.CLUSTERDECK_IMAGE_DISK_RESERVE_BYTES
  if (!text) return {}
  if (!/^\d+$/.test(text.trim())) {
    throw new AppError(
      'invalid_input',
      `CLUSTERDECK_IMAGE_DISK_RESERVE_BYTES must be a whole number of bytes, not "${text}".`,
      'Fix it or unset it (the reserve is then 1 GiB).',
    )
  }
  return { diskReserveBytes: Number(text.trim()) }
}
