// Which files are disk images, judged by name: raw images and the archives the cache unpacks.
// Operating systems give disk images no useful MIME type, and the core checks content again.
export const acceptedImageExtensions = ['.img', '.raw', '.bin', '.xz', '.gz', '.zst', '.zip'] as const

export function hasAcceptedExtension(name: string): boolean {
  const lower = name.toLowerCase()
  return acceptedImageExtensions.some((extension) => lower.endsWith(extension))
}

/**
 * Why a file name is not a disk image Clusterdeck can flash or import, in words the user can act on;
 * null when it is. The UI says it before any upload, the core again before any work.
 */
export function imageFileNameProblem(
  name: string,
  purpose: 'flash' | 'use',
): { message: string; hint: string } | null {
  if (hasAcceptedExtension(name)) return null
  return {
    message: `${name} is not a disk image Clusterdeck can ${purpose}.`,
    hint: `Use a raw image (${acceptedImageExtensions.slice(0, 3).join(', ')}) or a compressed one (${acceptedImageExtensions.slice(3).join(', ')}).`,
  }
}

/** "talos-arm64.raw.xz" → "talos-arm64.raw": the name the raw image goes by in the cache. */
export function rawImageName(name: string): string {
  return name.replace(/\.(xz|gz|zst|zip)$/i, '')
}
