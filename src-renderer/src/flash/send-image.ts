// Hands a dropped or picked image to the core and starts the flash. In Electron the preload knows
// the file's path, so the core reads it from disk; a browser has no paths, so the file is streamed
// to the host's upload endpoint, which puts it into the image cache. Both end in the same
// flash.start call.
import { AppError, type Result } from '../../../src-shared/contract/app-error.ts'
import { uploadPath } from '../../../src-shared/contract/ws-protocol.ts'
import type { FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'
import { bridge, call, pathForFile } from '../bridge/bridge.ts'
import { hostToken } from '../bridge/websocket-bridge.ts'

export interface FlashTarget {
  boardId: string
  node: NodeNumber
  verify: boolean
  powerOnAfter: boolean
}

/** Upload progress; after the last byte the core still unpacks and hashes the image. */
export interface SendProgress {
  stage: 'uploading' | 'importing'
  bytesSent: number
  bytesTotal: number
}

export interface Sending {
  /** The queued flash job; from here on flash.progress events tell the rest. */
  readonly job: Promise<FlashJob>
  /** Stops an upload still running (the flash itself is cancelled with flash.cancel). */
  abort(): void
}

export function sendImage(
  file: File,
  target: FlashTarget,
  onProgress: (progress: SendProgress) => void,
): Sending {
  const abort = new AbortController()
  const path = pathForFile(file)
  const job = (async () => {
    const image = path ? { kind: 'file' as const, path } : await cachedImage(file, onProgress, abort.signal)
    return call('flash.start', { ...target, image })
  })()
  return { job, abort: () => abort.abort() }
}

async function cachedImage(
  file: File,
  onProgress: (progress: SendProgress) => void,
  signal: AbortSignal,
): Promise<{ kind: 'cached'; sha256: string }> {
  const image = await uploadImage(file, onProgress, signal, { forFlash: true })
  return { kind: 'cached', sha256: image.sha256 }
}

/**
 * Puts a browser's file into the image cache through the host's upload endpoint. XMLHttpRequest
 * rather than fetch: it reports upload progress and sends the File from disk.
 */
export function uploadImage(
  file: File,
  onProgress: (progress: SendProgress) => void,
  signal: AbortSignal,
  { forFlash = false }: { forFlash?: boolean } = {},
): Promise<CachedImage> {
  // The core reports its unpacking under this id, so the progress after the last byte is ours.
  const importId = crypto.randomUUID()
  const stopImportProgress = bridge.subscribe('images.importProgress', (progress) => {
    if (progress.importId === importId) {
      onProgress({ stage: 'importing', bytesSent: progress.packedBytes, bytesTotal: progress.packedTotal })
    }
  })
  return new Promise<CachedImage>((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open(
      'POST',
      `${uploadPath}?name=${encodeURIComponent(file.name)}&importId=${importId}${forFlash ? '&for=flash' : ''}`,
    )
    const token = hostToken()
    if (token) request.setRequestHeader('authorization', `Bearer ${token}`)
    request.upload.onprogress = (event) =>
      onProgress({ stage: 'uploading', bytesSent: event.loaded, bytesTotal: file.size })
    request.upload.onload = () =>
      onProgress({ stage: 'importing', bytesSent: file.size, bytesTotal: file.size })
    request.onload = () => {
      const result = parseResult(request.responseText)
      if (!result) {
        reject(
          new AppError(
            'transport',
            `The Clusterdeck host answered the upload of ${file.name} with HTTP ${request.status} and no result.`,
            'Check that the host is current (npm run serve), then try again.',
          ),
        )
      } else if (result.ok) resolve(result.value)
      else reject(AppError.fromData(result.error))
    }
    request.onerror = () =>
      reject(
        new AppError(
          'transport',
          `The upload of ${file.name} to the Clusterdeck core broke off.`,
          'Check that the core is still running, then try again.',
        ),
      )
    request.onabort = () =>
      reject(new AppError('cancelled', `The upload of ${file.name} was cancelled; nothing was flashed.`))
    signal.addEventListener('abort', () => request.abort(), { once: true })
    request.send(file)
  }).finally(stopImportProgress)
}

function parseResult(text: string): Result<CachedImage> | undefined {
  try {
    const parsed = JSON.parse(text) as Result<CachedImage> | null
    return parsed && typeof parsed === 'object' && 'ok' in parsed ? parsed : undefined
  } catch {
    return undefined
  }
}
