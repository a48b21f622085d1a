// Which files can be flashed, judged by name. The core checks again (and by content); this only
// spares the user a pointless upload.
import {
  acceptedImageExtensions as imageExtensions,
  hasAcceptedExtension as isImageFileName,
  imageFileNameProblem,
} from '../../../src-shared/images/image-file-names.ts'

export { imageExtensions, isImageFileName }

/** Why a file cannot be flashed, in words the user can act on; null when it can. */
export function imageFileProblem(name: string): string | null {
  const problem = imageFileNameProblem(name, 'flash')
  return problem && `${problem.message} ${problem.hint}`
}
