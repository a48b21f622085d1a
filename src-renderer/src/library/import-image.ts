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
  return path ? importFromPath(path, onProgress) : uploadImage(file, onProgress, signal)
}

async function importFromPath(
  path: string,
  onProgress: (progress: SendProgress) => void,
): Promise<CachedImage> {
  const importId = crypto.randomUUID()
  const stop = bridge.subscribe('images.importProgress', (progress) => {
    if (progress.importId === importId)
      onProgress({ stage: 'importing', bytesSent: progress.packedBytes, bytesTotal: progress.packedTotal })
  })
  try {
    return await call('images.importFile', { path, importId })
  } finally {
    stop()
  }
}
