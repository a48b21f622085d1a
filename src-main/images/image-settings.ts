// The image library's settings, persisted in SQLite: the cache size limit and how many downloads
// run at once.
import { imageSettingsSchema, type ImageSettings } from '../../src-shared/images/image-schemas.ts'
import type { Db } from '../store/database.ts'
import { SettingsStore } from '../store/settings-store.ts'

const key = 'images.settings'
const defaults: ImageSettings = { sizeLimitBytes: null, maxConcurrentDownloads: 2 }

export class ImageSettingsStore {
  private readonly store: SettingsStore

  constructor(db: Db) {
    this.store = new SettingsStore(db)
  }

  get(): ImageSettings {
    return this.store.get(key, imageSettingsSchema, defaults)
  }

  update(changes: Partial<ImageSettings>): ImageSettings {
    const next = imageSettingsSchema.parse({ ...this.get(), ...changes })
    this.store.set(key, next)
    return next
  }
}
