// Fuzzing the profile loader, bounded and seeded (FUZZ_SEED=<seed> replays a run): the templates'
// YAML, mutated line by line, byte by byte and with YAML's own features (aliases, tags, documents,
// deep nesting). Validating or importing each is either a valid profile or a clear validation error
// — never an `internal` error ("a bug in Clusterdeck", exit 1). The dispatcher takes the many
// samples; a few go through the real CLI for the exit code.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import {
  profileFromTemplate,
  profileTemplates,
  type ProfileTemplateId,
} from '../../src-shared/profiles/profile-templates.ts'
import { runCli } from '../support/run-cli.ts'
import { seededRandom, type SeededRandom } from '../support/seeded-random.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { startFaultHost, type FaultHost } from './support/fault-host.ts'

let fault: FaultHost
let dir: ReturnType<typeof makeTempDir>

beforeAll(async () => {
  fault = await startFaultHost()
  dir = makeTempDir()
  // The board the templates name, so unmutated profiles are valid.
  const added = await fault.core.dispatch('boards.add', {
    name: 'rack-1',
    address: '10.0.0.1',
    user: 'root',
    password: 'fuzz-pw',
  })
  expect(added.ok).toBe(true)
})

afterAll(async () => {
  await fault.close()
  dir.remove()
})

const templates = Object.keys(profileTemplates).map((id) =>
  stringify(profileFromTemplate(id as ProfileTemplateId, { name: 'lab', board: 'rack-1' })),
)

const tokens = [
  '',
  '~',
  'null',
  '-1',
  '0',
  '1e309',
  '.nan',
  '0x10',
  'yes',
  '[]',
  '{}',
  '"\\u0000"',
  '"\\ud800"',
  '!!binary AAAA',
  '!!set {a}',
  '!!omap [a: 1]',
  '!custom x',
  '&anchor [1, 2]',
  '*anchor',
  '*missing',
  '<<: *anchor',
  `${'['.repeat(200)}${']'.repeat(200)}`,
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'x'.repeat(5000),
  '10.10.88.999',
  '10.10.88.0/33',
  '---',
  '...',
  '%YAML 1.1',
  '? complex key',
  '|',
  '>-',
  '\t',
]

function mutate(random: SeededRandom, text: string): string {
  const lines = text.split('\n')
  const at = () => random.int(lines.length)
  switch (random.int(10)) {
    case 0:
      lines.splice(at(), 1)
      break
    case 1: {
      const i = at()
      lines.splice(i, 0, lines[i]!)
      break
    }
    case 2: {
      const [i, j] = [at(), at()]
      ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
      break
    }
    case 3:
    case 4: {
      // A value (after the first ": " or "- ") becomes a token.
      const i = at()
      lines[i] = lines[i]!.replace(/(: |- )(.*)$/, (_m, lead: string) => `${lead}${random.pick(tokens)}`)
      break
    }
    case 5: {
      const i = at()
      lines[i] = lines[i]!.replace(
        /^(\s*)([\w-]+)/,
        (_m, indent: string) => `${indent}${random.pick(tokens)}`,
      )
      break
    }
    case 6: {
      const i = at()
      lines[i] = random.chance(0.5) ? ` ${lines[i]}` : lines[i]!.replace(/^ {1,2}/, '')
      break
    }
    case 7:
      lines.splice(at(), 0, random.pick(tokens))
      break
    case 8: {
      const joined = lines.join('\n')
      const cut = random.int(joined.length)
      return joined.slice(0, cut) + random.bytes(random.int(8)).toString('latin1') + joined.slice(cut)
    }
    default:
      return lines.join('\n').slice(0, random.int(text.length))
  }
  return lines.join('\n')
}

function sample(random: SeededRandom): string {
  let text = random.pick(templates)
  for (let i = random.int(3) + 1; i > 0; i--) text = mutate(random, text)
  return text
}

describe('fuzzed profile YAML', () => {
  it('validates and imports each sample as a profile or a validation error, never an internal one', async () => {
    const random = seededRandom(0x9f11e5)
    let valid = 0
    for (let n = 0; n < 200; n++) {
      const yaml = sample(random)
      const context = `seed ${random.seed}, sample ${n}:\n${yaml.slice(0, 2000)}`
      const validated = await fault.core.dispatch('profiles.validate', { yaml })
      if (validated.ok) {
        const { valid: ok, issues } = validated.value as {
          valid: boolean
          issues: Array<{ message: string }>
        }
        if (ok) valid++
        else expect(issues.length, context).toBeGreaterThan(0)
      } else {
        expect(validated.error.code, `${context}\n${validated.error.message}`).toBe('invalid_input')
      }
      // Replacing, as the CLI does: a same-name profile saved by an earlier sample is not the point here.
      const imported = await fault.core.dispatch('profiles.importYaml', { yaml, onConflict: 'replace' })
      if (!imported.ok) {
        expect(imported.error.code, `${context}\n${imported.error.message}`).toBe('invalid_input')
      }
      // Validate and import agree on what is valid.
      expect(imported.ok, context).toBe(validated.ok && (validated.value as { valid: boolean }).valid)
    }
    // The mutations leave some profiles intact (a comment, a harmless value): both paths are exercised.
    expect(valid).toBeGreaterThan(0)
  })

  it('exits 0 or 2 from the real CLI, never 1', async () => {
    const random = seededRandom(0x9f11e6)
    const files = Array.from({ length: 2 }, (_, n) => {
      const file = join(dir.path, `sample-${n}.yaml`)
      writeFileSync(file, sample(random))
      return file
    })
    const env = { CLUSTERDECK_HOME: join(dir.path, 'home') }
    const runs = await Promise.all(files.map((file) => runCli(['profile', 'validate', file], { env })))
    for (const [i, run] of runs.entries()) {
      expect([0, 2], `seed ${random.seed}, ${files[i]}: ${run.stderr}`).toContain(run.code)
      expect(run.stderr).not.toMatch(/bug in Clusterdeck|\n\s+at /)
    }
  })
})
