// The image requests: listing the cache and importing files into it, from a path on this machine
// or from a browser upload, with progress events either way; deleting, pinning and the size limit.
// Every change to the library is published as images.changed.
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { CachedImage, ImageSettings, ImageUsage } from '../../src-shared/images/image-schemas.ts'
import type { EventBus } from '../core/event-bus.ts'
import type { ImageCache } from './image-cache.ts'
import { imageFileNameProblem } from '../../src-shared/images/image-file-names.ts'

export class ImageService {
  private readonly cache: ImageCache
  private readonly events: EventBus

  constructor(cache: ImageCache, events: EventBus) {
    this.cache = cache
    this.events = events
    cache.subscribe((change) => events.emit('images.changed', change))
  }

  list(): CachedImage[] {
    return this.cache.list()
  }

  usage(): ImageUsage {
    return this.cache.usage()
  }

  remove(ref: string): Promise<CachedImage> {
    return this.cache.remove(ref)
  }

  pin(ref: string, pinned: boolean): CachedImage {
    return this.cache.setPinned(ref, pinned)
  }

  settings(): ImageSettings {
    return this.cache.settings.get()
  }

  updateSettings(changes: Partial<ImageSettings>): ImageSettings {
    return this.cache.settings.update(changes)
  }

  /**
   * forFlash: the image is about to be flashed (a browser's drop on a node slot), so, like a
   * flash's own import, it may go over the cache limit (docs/flashing.md).
   */
  async importFile(
    path: string,
    name = basename(path),
    importId: string = randomUUID(),
    forFlash = false,
  ): Promise<CachedImage> {
    assertImageName(name)
    return this.cache.import(path, {
      ...(name === basename(path) ? {} : { name: name.replace(/\.(xz|gz|zst|zip)$/i, '') }),
      mayExceedLimit: forFlash,
      onProgress: (progress) => this.events.emit('images.importProgress', { importId, name, ...progress }),
    })
  }

  /** A browser's upload: written to a staging file first (the import reads files), then imported. */
  async importUpload(
    body: Readable,
    name: string,
    { importId, forFlash = false }: { importId?: string; forFlash?: boolean } = {},
  ): Promise<CachedImage> {
    assertImageName(name)
    const staging = join(this.cache.incoming, `upload-${randomUUID()}-${basename(name)}`)
    try {
      await pipeline(body, createWriteStream(staging, { flags: 'wx' }))
      return await this.importFile(staging, basename(name), importId, forFlash)
    } finally {
      await rm(staging, { force: true })
    }
  }
}

function assertImageName(name: string): void {
  const problem = imageFileNameProblem(basename(name), 'use')
  if (problem) throw new AppError('invalid_input', problem.message, problem.hint)
}
