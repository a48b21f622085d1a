// Saving, validating, importing and exporting cluster profiles. Structure is checked by the schema,
// meaning by validateProfile (with the saved boards), and a profile with errors is never saved.
import { randomUUID } from 'node:crypto'
import { parseDocument, stringify } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  clusterProfileSchema,
  type ClusterProfile,
  type SavedProfile,
} from '../../src-shared/profiles/profile-schema.ts'
import {
  profileFromTemplate,
  profileTemplates,
  type ProfileTemplateId,
} from '../../src-shared/profiles/profile-templates.ts'
import {
  describeProfileIssues,
  issueInWords,
  issuePath,
} from '../../src-shared/profiles/schema-issue-words.ts'
import { hasErrors, validateProfile, type ProfileIssue } from '../../src-shared/profiles/validate-profile.ts'
import type { BoardService } from '../boards/board-service.ts'
import type { EventBus } from '../core/event-bus.ts'
import type { ProfileRepository } from './profile-repository.ts'

export interface SaveResult {
  saved: SavedProfile
  warnings: ProfileIssue[]
}

export class ProfileService {
  private readonly repository: ProfileRepository
  private readonly boards: Pick<BoardService, 'list'>
  private readonly events: EventBus

  constructor(repository: ProfileRepository, boards: Pick<BoardService, 'list'>, events: EventBus) {
    this.repository = repository
    this.boards = boards
    this.events = events
  }

  list(): SavedProfile[] {
    return this.repository.list()
  }

  get(ref: string): SavedProfile {
    const found = this.repository.find(ref)
    if (!found) {
      throw new AppError(
        'not_found',
        `No cluster profile "${ref}" is saved.`,
        'List the profiles to see their names.',
      )
    }
    return found
  }

  /** Structure and meaning of a profile given as an object or as YAML; saves nothing. */
  async validate(input: {
    profile?: unknown
    yaml?: string
  }): Promise<{ valid: boolean; issues: ProfileIssue[] }> {
    let raw: unknown
    try {
      raw = input.yaml !== undefined ? parseYaml(input.yaml) : input.profile
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      return { valid: false, issues: [{ path: '', message: error.message, severity: 'error' }] }
    }
    const parsed = clusterProfileSchema.safeParse(raw)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issuePath(issue.path),
        message: issueInWords(issue),
        severity: 'error' as const,
      }))
      return { valid: false, issues }
    }
    const issues = await this.check(parsed.data)
    return { valid: !hasErrors(issues), issues }
  }

  async save(profile: ClusterProfile): Promise<SaveResult> {
    const issues = await this.check(profile)
    if (hasErrors(issues)) {
      throw new AppError(
        'invalid_input',
        `The profile "${profile.name}" has ${issues.filter((i) => i.severity === 'error').length} problem(s): ${issues
          .filter((i) => i.severity === 'error')
          .map((i) => `${i.path}: ${i.message}`)
          .join('; ')}`,
        'Correct the fields named and save again.',
      )
    }
    const existing = this.repository.find(profile.name)
    const saved = this.repository.upsert(existing?.id ?? randomUUID(), profile, new Date().toISOString())
    this.events.emit('profiles.changed', { name: saved.name, change: 'saved' })
    return { saved, warnings: issues }
  }

  async importYaml(text: string, onConflict: 'refuse' | 'replace' = 'refuse'): Promise<SaveResult> {
    const parsed = clusterProfileSchema.safeParse(parseYaml(text))
    if (!parsed.success) {
      throw new AppError(
        'invalid_input',
        `The YAML is not a valid cluster profile: ${describeProfileIssues(parsed.error)}`,
        'Correct the fields named and import again.',
      )
    }
    if (onConflict === 'refuse' && this.repository.find(parsed.data.name)) {
      throw new AppError(
        'conflict',
        `A profile named "${parsed.data.name}" is already saved; importing would replace it.`,
        'Import again choosing to replace it, or change the name in the YAML.',
        { name: parsed.data.name },
      )
    }
    return this.save(parsed.data)
  }

  exportYaml(ref: string): { fileName: string; yaml: string } {
    const { profile } = this.get(ref)
    const header = `# Clusterdeck cluster profile "${profile.name}". It holds no secrets: BMC passwords stay in the\n# OS keychain. Import it with: clusterdeck profile import ${profile.name}.yaml\n`
    return { fileName: `${profile.name}.yaml`, yaml: header + stringify(profile, { lineWidth: 0 }) }
  }

  templates(): Array<{ id: string; title: string; description: string }> {
    return Object.entries(profileTemplates).map(([id, template]) => ({ id, ...template }))
  }

  async fromTemplate(template: ProfileTemplateId, name: string, board: string): Promise<SaveResult> {
    if (this.repository.find(name)) {
      throw new AppError('conflict', `A profile named "${name}" already exists.`, 'Choose another name.')
    }
    return this.save(profileFromTemplate(template, { name, board }))
  }

  remove(id: string): { id: string; name: string } {
    const found = this.get(id)
    this.repository.delete(found.id)
    this.events.emit('profiles.changed', { name: found.name, change: 'removed' })
    return { id: found.id, name: found.name }
  }

  private async check(profile: ClusterProfile): Promise<ProfileIssue[]> {
    const boardNames = (await this.boards.list()).map((board) => board.name)
    // Saving under its own name replaces the profile, so it is no other profile's rival.
    const otherProfiles = this.repository
      .list()
      .filter((saved) => saved.name.toLowerCase() !== profile.name.toLowerCase())
      .map((saved) => saved.profile)
    return validateProfile(profile, { boardNames, otherProfiles })
  }
}

// The one way profile YAML is read, for validate and import alike. Aliases are capped (each may
// expand to a whole subtree, so a few lines can stand for gigabytes: an "alias bomb").
const maxAliasCount = 100

function parseYaml(text: string): unknown {
  const unreadable = (problem: string) =>
    new AppError('invalid_input', `The YAML cannot be read: ${problem}`, 'Fix the YAML syntax and try again.')
  try {
    // logLevel: yaml would print warnings (e.g. a map used as a key) to the console; the schema names the problem.
    const document = parseDocument(text, { logLevel: 'error' })
    const first = document.errors[0]
    if (first) throw unreadable(first.message.split('\n')[0]!)
    return document.toJS({ maxAliasCount })
  } catch (error) {
    if (error instanceof AppError) throw error
    // yaml refuses too many aliases with a ReferenceError; nesting beyond the stack is a RangeError.
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw unreadable(`it uses aliases more than ${maxAliasCount} times (an alias bomb?)`)
    }
    if (error instanceof RangeError) throw unreadable('it is nested too deeply')
    throw unreadable((error as Error).message.split('\n')[0]!)
  }
}
