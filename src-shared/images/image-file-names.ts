// Which files are disk images, judged by name: raw images and the archives the cache unpacks.
// Operating systems give disk images no useful MIME type, and the core checks content again.
export const acceptedImageExtensions = ['.img', '.raw', '.bin', '.xz', '.gz', '.zst', '.zip'] as const

export function hasAcceptedExtension(name: string): boolean {
  const lower = name.toLowerCase()
  return acceptedImageExtensions.some((extension) => lower.endsWith(extension))
}

/** "talos-arm64.raw.xz" → "talos-arm64.raw": the name the raw image goes by in the cache. */
export function rawImageName(name: string): string {
  return name.replace(/\.(xz|gz|zst|zip)$/i, '')
}
