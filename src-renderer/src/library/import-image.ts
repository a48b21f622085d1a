// Imports a dropped file into the library. In Electron the core reads it from its path; a browser
// has no paths, so the file goes through the host's upload endpoint (the flash path's upload).
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'
import { bridge, call, pathForFile } from '../bridge/bridge.ts'
import { uploadImage, type SendProgress } from '../flash/send-image.ts'

export function importImage(
  file: File,
  onProgress: (progress: SendProgress) => void,
  signal: AbortSignal,
): Promise<CachedImage> {
  const path = pathForFile(file)
  return path ? importFromPath(path, file, onProgress) : uploadImage(file, onProgress, signal)
}

async function importFromPath(
  path: string,
  file: File,
  onProgress: (progress: SendProgress) => void,
): Promise<CachedImage> {
  // images.importFile takes no import id, so its progress is recognised by the file's name.
  const stop = bridge.subscribe('images.importProgress', (progress) => {
    if (progress.name === file.name)
      onProgress({ stage: 'importing', bytesSent: progress.packedBytes, bytesTotal: progress.packedTotal })
  })
  try {
    return await call('images.importFile', { path })
  } finally {
    stop()
  }
}
