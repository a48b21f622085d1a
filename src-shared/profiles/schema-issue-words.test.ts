import { describe, expect, it } from 'vitest'
import { clusterProfileSchema } from './profile-schema.ts'
import { profileFromTemplate } from './profile-templates.ts'
import { describeProfileIssues } from './schema-issue-words.ts'

describe('schema problems of a profile in words', () => {
  const valid = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })

  function problems(profile: unknown): string {
    const parsed = clusterProfileSchema.safeParse(profile)
    if (parsed.success) throw new Error('expected problems')
    return describeProfileIssues(parsed.error)
  }

  it('names the field and what it must hold, not the schema words', () => {
    const text = problems({ ...valid, nodes: 'turing-cp1' })
    expect(text).toBe('nodes: must be a list (lines starting with "- "), not text')
    expect(text).not.toMatch(/Invalid input|expected array/)
  })

  it('says a missing field is missing, lists the allowed choices, and names an unknown key', () => {
    const withoutDistribution: Record<string, unknown> = { ...valid }
    delete withoutDistribution.distribution
    expect(problems(withoutDistribution)).toMatch(/^distribution: (is missing|must be one of)/)
    expect(problems({ ...valid, distribution: 'rke2' })).toContain('distribution: must be one of talos, k3s')
    expect(problems({ ...valid, nodes: [{ ...valid.nodes[0], hostnme: 'x' }] })).toContain(
      'nodes[0]: has a key a profile does not know: hostnme (check the spelling)',
    )
  })
})
