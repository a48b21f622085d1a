// A profile's schema problems in the words of the profile file: the field as its path in the YAML
// (nodes[0].hostname) and what it should hold ("must be a list"), not the schema library's
// "Invalid input: expected array, received string".
import type { z } from 'zod'

const kinds: Record<string, string> = {
  array: 'a list (lines starting with "- ")',
  object: 'a group of "key: value" lines',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  undefined: 'nothing',
  null: 'an empty value',
}

const kind = (name: string) => kinds[name] ?? name

/** nodes[0].hostname, as a user finds it in the YAML; empty for the document itself. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('')
}

/** What is wrong with the field, said as what it must hold. */
export function issueInWords(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const received = /received (\w+)$/.exec(issue.message)?.[1]
    if (received === 'undefined') return `is missing: it must be ${kind(issue.expected)}`
    return `must be ${kind(issue.expected)}${received ? `, not ${kind(received)}` : ''}`
  }
  if (issue.code === 'invalid_value')
    return `must be one of ${issue.values.map((value) => String(value)).join(', ')}`
  if (issue.code === 'unrecognized_keys')
    return `has ${issue.keys.length === 1 ? 'a key' : 'keys'} a profile does not know: ${issue.keys.join(', ')} (check the spelling)`
  if (issue.code === 'invalid_union') return 'does not match any form this field can take'
  return issue.message
}

/** One line per problem: "nodes: must be a list (…), not text". */
export function describeProfileIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issuePath(issue.path)
      return `${path || 'the profile'}: ${issueInWords(issue)}`
    })
    .join('; ')
}
