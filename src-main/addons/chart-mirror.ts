// CLUSTERDECK_CHART_REPOSITORY: one chart repository (http(s)://) or OCI registry path (oci://)
// that serves every add-on's chart at its pinned version, for air-gapped labs and tests
// (docs/addons.md). A value that is neither is refused when the core starts, naming the variable.
import { AppError } from '../../src-shared/contract/app-error.ts'

export const chartMirrorVariable = 'CLUSTERDECK_CHART_REPOSITORY'

/** The mirror the variable names, or undefined when it is unset or empty. */
export function chartMirrorFrom(value: string | undefined): string | undefined {
  const text = value?.trim()
  if (!text) return undefined
  let url: URL | undefined
  try {
    url = new URL(text)
  } catch {
    url = undefined
  }
  if (!url || !['http:', 'https:', 'oci:'].includes(url.protocol) || !url.host) {
    throw new AppError(
      'invalid_input',
      `${chartMirrorVariable} must be an http(s):// chart repository or an oci:// registry path, not "${text}".`,
      'Fix it or unset it (each chart then comes from its own repository).',
    )
  }
  return text
}
