// Which files can be flashed, judged by name: operating systems give disk images no useful MIME
// type. The core checks again (and by content); this only spares the user a pointless upload.

/** What the core's image cache can read: raw images and the archives it unpacks. */
export const imageExtensions = ['.img', '.raw', '.bin', '.xz', '.gz', '.zst', '.zip'] as const

export function isImageFileName(name: string): boolean {
  const lower = name.toLowerCase()
  return imageExtensions.some((extension) => lower.endsWith(extension))
}

/** Why a file cannot be flashed, in words the user can act on; null when it can. */
export function imageFileProblem(name: string): string | null {
  if (isImageFileName(name)) return null
  return `${name} is not a disk image Clusterdeck can flash. Use a raw image (${imageExtensions
    .slice(0, 3)
    .join(', ')}) or a compressed one (${imageExtensions.slice(3).join(', ')}).`
}
