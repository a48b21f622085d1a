// Image preparation: make each image the profile names a raw image in the cache, and hand its hash
// to the flash steps. Images already in the cache cost nothing; files are imported (unpacked and
// hashed once).
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import type { ImageSource } from '../../../src-shared/profiles/profile-schema.ts'
import type { ImageCache } from '../../images/image-cache.ts'
import type { StepContext, StepExecutor, StepResult } from '../step-executor.ts'

export interface ImagePrepareDependencies {
  cache: ImageCache
  /** Fetches a remote image (URL, Talos Image Factory, Armbian) into the cache. */
  fetch?: (
    source: Exclude<ImageSource, { cached: string } | { file: string }>,
    context: StepContext<'image.prepare'>,
  ) => Promise<string>
}

export function imagePrepareStep({ cache, fetch }: ImagePrepareDependencies): StepExecutor<'image.prepare'> {
  const ready = (sha256: string, how: string): StepResult => {
    const image = cache.find(sha256)!
    cache.touch(sha256)
    return {
      message: `${image.name} (${formatBytes(image.sizeBytes)}) ${how}`,
      output: { sha256, name: image.name },
    }
  }
  return {
    async alreadyDone({ step }) {
      const { source } = step.params
      return 'cached' in source && cache.find(source.cached)
        ? ready(source.cached, 'is in the image library')
        : null
    },
    async run(context) {
      const { source } = context.step.params
      if ('cached' in source) {
        throw new AppError(
          'not_found',
          `The image ${source.cached.slice(0, 12)}… named by the profile is no longer in the image library.`,
          'Import it again, or choose another image in the profile.',
        )
      }
      if ('file' in source) {
        context.log(`Importing ${source.file} into the image library`)
        let lastPercent = -10
        const image = await cache.import(source.file, {
          signal: context.signal,
          onProgress: ({ packedBytes, packedTotal }) => {
            const percent = Math.floor((100 * packedBytes) / Math.max(1, packedTotal))
            if (percent >= lastPercent + 10) {
              lastPercent = percent
              context.log(`unpacking and hashing: ${percent}%`)
            }
          },
        })
        return ready(image.sha256, `imported from ${source.file}`)
      }
      if (!fetch) {
        throw new AppError(
          'internal',
          'This core cannot download images.',
          'Put the image into the library first.',
        )
      }
      return ready(await fetch(source, context), 'downloaded into the image library')
    },
  }
}
