// Dragging a library image onto a board slot: an HTML5 drag with a MIME type of our own, so a slot
// tells it from a file dragged in from the desktop. While dragging, browsers expose only the types;
// the payload can be read on drop.
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'

export const libraryImageMime = 'application/x-clusterdeck-image'

/** What a slot needs to confirm and start the flash without asking the core first. */
export type DraggedImage = Pick<CachedImage, 'sha256' | 'name' | 'sizeBytes'>

export function startImageDrag(dataTransfer: DataTransfer, image: DraggedImage): void {
  const payload: DraggedImage = { sha256: image.sha256, name: image.name, sizeBytes: image.sizeBytes }
  dataTransfer.setData(libraryImageMime, JSON.stringify(payload))
  // Dropped anywhere else (a text field, another app), the image's name is what makes sense.
  dataTransfer.setData('text/plain', image.name)
  dataTransfer.effectAllowed = 'copy'
}

export function isImageDrag(dataTransfer: DataTransfer | null): boolean {
  return dataTransfer !== null && Array.from(dataTransfer.types).includes(libraryImageMime)
}

/** The dragged image, or null when the drop carries none (or something malformed). */
export function droppedImage(dataTransfer: DataTransfer | null): DraggedImage | null {
  const text = dataTransfer?.getData(libraryImageMime)
  if (!text) return null
  try {
    const value = JSON.parse(text) as Partial<DraggedImage> | null
    return value &&
      typeof value.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(value.sha256) &&
      typeof value.name === 'string' &&
      typeof value.sizeBytes === 'number'
      ? { sha256: value.sha256, name: value.name, sizeBytes: value.sizeBytes }
      : null
  } catch {
    return null
  }
}
