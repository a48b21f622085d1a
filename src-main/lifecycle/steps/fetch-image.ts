// Remote images for the image-preparation phase: a URL, a Talos Image Factory image built from a
// preset or a saved schematic for the profile's Talos version, or the newest matching Armbian image
// for the Turing RK1. Each ends in the download pipeline (resumable, verified, unpacked into the
// cache); an image the cache already holds from the same URL is not fetched again.
import { AppError } from '../../../src-shared/contract/app-error.ts'
import type { PullRequest } from '../../../src-shared/images/download-schemas.ts'
import { extensionPresetIds } from '../../../src-shared/talos/presets.ts'
import { buildSchematic } from '../../../src-shared/talos/schematic-builder.ts'
import type { Schematic } from '../../../src-shared/talos/schematic.ts'
import type { ArmbianCatalog } from '../../images/armbian-catalog.ts'
import type { DownloadService } from '../../images/download-service.ts'
import type { ImageCache } from '../../images/image-cache.ts'
import type { TalosFactoryService } from '../../images/talos-factory-service.ts'
import type { ImagePrepareDependencies } from './image-prepare-step.ts'

type RemoteSource = Parameters<NonNullable<ImagePrepareDependencies['fetch']>>[0]
type Context = Parameters<NonNullable<ImagePrepareDependencies['fetch']>>[1]

export interface ImageFetchDependencies {
  cache: ImageCache
  downloads: Pick<DownloadService, 'pull' | 'wait' | 'cancel'>
  factory: Pick<TalosFactoryService, 'resolve' | 'listSchematics'>
  armbian: Pick<ArmbianCatalog, 'images'>
}

export function createImageFetcher(
  deps: ImageFetchDependencies,
): NonNullable<ImagePrepareDependencies['fetch']> {
  return async (source, context) => {
    const request = await pullRequestFor(source, context)
    const cached = deps.cache.list().find((image) => image.sourceUrl === request.url)
    if (cached) {
      context.log(`${cached.name} from ${request.url} is already in the library`)
      return cached.sha256
    }
    context.log(`Downloading ${request.url}`)
    const job = deps.downloads.pull(request)
    const stop = () => void deps.downloads.cancel(job.id).catch(() => undefined)
    context.signal.addEventListener('abort', stop, { once: true })
    const finished = await deps.downloads
      .wait(job.id)
      .finally(() => context.signal.removeEventListener('abort', stop))
    if (finished.state !== 'done' || !finished.imageSha256) {
      const error = finished.error
      throw new AppError(
        finished.state === 'cancelled' ? 'cancelled' : (error?.code ?? 'internal'),
        `The download of ${request.url} ${finished.state}${error ? `: ${error.message}` : ''}`,
        error?.hint ??
          'Pull it again from the image library; an interrupted download continues where it stopped.',
      )
    }
    context.log(`Downloaded, verified and unpacked ${finished.name}`)
    return finished.imageSha256
  }

  async function pullRequestFor(source: RemoteSource, context: Context): Promise<PullRequest> {
    if ('url' in source) return { url: source.url, ...(source.sha256 ? { sha256: source.sha256 } : {}) }
    if ('talosFactory' in source) {
      const { talosVersion } = context.step.params
      if (!talosVersion)
        throw new AppError('invalid_input', 'The profile names no Talos version for its factory image.')
      const { schematic: name, board } = source.talosFactory
      const schematic = schematicFor(name, board)
      const resolved = await deps.factory.resolve({
        schematic,
        talosVersion,
        arch: board === 'metal-amd64' ? 'amd64' : 'arm64',
        platform: 'metal',
        confirm: 'if-uncertain',
      })
      if (resolved.factoryProblem)
        context.log(`The factory could not confirm the schematic ID: ${resolved.factoryProblem}`)
      context.log(`Talos ${talosVersion}, schematic ${resolved.effectiveId} (${name}, ${board})`)
      return {
        url: resolved.imageUrl!,
        name: `talos-${talosVersion}-${board}-${name}`,
        os: 'talos',
        version: talosVersion,
        arch: board === 'metal-amd64' ? 'amd64' : 'arm64',
      }
    }
    const { distro, variant, branch } = source.armbian
    const { images, refreshError } = await deps.armbian.images({
      distro,
      variant,
      branch,
      refresh: false,
      includeVanished: true,
    })
    const newest = images.find((image) => image.stillPublished) ?? images.find((image) => image.cachedSha256)
    if (!newest) {
      throw new AppError(
        'not_found',
        `No Armbian ${distro} ${variant} image with the ${branch} kernel is listed for the Turing RK1${refreshError ? ` (the list could not be refreshed: ${refreshError.message})` : ''}.`,
        'Pick another distro, variant or kernel branch in the profile, or import an image into the library yourself.',
      )
    }
    context.log(`Armbian image ${newest.name}`)
    return { url: newest.url, os: 'armbian', version: newest.armbianVersion, arch: 'arm64' }
  }

  function schematicFor(name: string, board: Parameters<typeof buildSchematic>[0]['board']): Schematic {
    if (name === 'none') return buildSchematic({ board })
    if ((extensionPresetIds as readonly string[]).includes(name)) {
      return buildSchematic({ board, presets: [name as (typeof extensionPresetIds)[number]] })
    }
    const saved = deps.factory.listSchematics().find((entry) => entry.name === name)
    if (!saved) {
      throw new AppError(
        'not_found',
        `The profile's image uses the schematic "${name}", which is neither a preset (${extensionPresetIds.join(', ')}) nor a saved schematic.`,
        'Save the schematic in the Talos image builder, or use a preset.',
      )
    }
    return saved.schematic
  }
}
