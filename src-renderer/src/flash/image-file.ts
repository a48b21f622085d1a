// Which files can be flashed, judged by name. The core checks again (and by content); this only
// spares the user a pointless upload.
import {
  acceptedImageExtensions as imageExtensions,
  hasAcceptedExtension as isImageFileName,
} from '../../../src-shared/images/image-file-names.ts'

export { imageExtensions, isImageFileName }

/** Why a file cannot be flashed, in words the user can act on; null when it can. */
export function imageFileProblem(name: string): string | null {
  if (isImageFileName(name)) return null
  return `${name} is not a disk image Clusterdeck can flash. Use a raw image (${imageExtensions
    .slice(0, 3)
    .join(', ')}) or a compressed one (${imageExtensions.slice(3).join(', ')}).`
}
