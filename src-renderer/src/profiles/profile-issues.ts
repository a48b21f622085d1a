// Validation issues carry a dotted path ("nodes[2].address"); these helpers put each one next to
// its field, and collect the ones no field shows so they still reach the user.
import type { ProfileIssue } from '../../../src-shared/profiles/validate-profile.ts'

export type { ProfileIssue }

/** Issues of exactly this field, or of anything under it when `nested`. */
export function issuesAt(issues: readonly ProfileIssue[], path: string, nested = false): ProfileIssue[] {
  return issues.filter(
    (issue) =>
      issue.path === path ||
      (nested && (issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`))),
  )
}

export function countBySeverity(issues: readonly ProfileIssue[]): { errors: number; warnings: number } {
  const errors = issues.filter((issue) => issue.severity === 'error').length
  return { errors, warnings: issues.length - errors }
}

// The fields the editor draws, as patterns over paths. Anything else (a path the core adds later,
// or the root) is listed above the form.
const placedPaths = [
  /^name$/,
  /^distribution$/,
  /^versions\.\w+$/,
  /^network\.\w+(\[\d+\])?$/,
  /^image(\.|$)/,
  /^nodes(\[\d+\]\.(hostname|role|board|slot|address|installDisk|nvme(\.\w+)?|image(\..*)?))?$/,
  /^addons\.\w+(\.\w+)?$/,
  /^timeouts\.(bootSeconds|readySeconds)$/,
]

export function unplacedIssues(issues: readonly ProfileIssue[]): ProfileIssue[] {
  return issues.filter((issue) => !placedPaths.some((pattern) => pattern.test(issue.path)))
}
