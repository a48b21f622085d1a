// The Image Factory schematic (talos.md §2.1, §2.5): the model with its validation, the canonical
// YAML the factory hashes, and the schematic ID computed offline from it.
import { z } from 'zod'
import { emitYaml, formatGoFloat, sortKeysNaturally, type YamlNode } from './go-yaml.ts'

export type OptionValue = string | number | boolean | null | OptionValue[] | { [key: string]: OptionValue }

const noLoneSurrogates = (value: string) => !/\p{Cs}/u.test(value)
const text = z
  .string()
  .refine(noLoneSurrogates, { message: 'contains an invalid character (a lone surrogate)' })

export const optionValueSchema: z.ZodType<OptionValue> = z.lazy(() =>
  z.union([
    text,
    z.number().refine((n) => !Number.isInteger(n) || Number.isSafeInteger(n), {
      message: 'is an integer too large to keep exactly: write it as a string',
    }),
    z.boolean(),
    z.null(),
    z.array(optionValueSchema),
    z.record(text, optionValueSchema),
  ]),
)

export const bootloaders = ['dual-boot', 'sd-boot', 'grub'] as const
export const enrollKeysModes = ['if-safe', 'manual', 'force', 'off'] as const

export const metaValueSchema = z
  .object({
    key: z
      .number()
      .int({ message: 'must be a whole number' })
      .min(0, { message: 'must be 0–255' })
      .max(255, { message: 'must be 0–255' }),
    value: text,
  })
  .strict()
export type MetaValue = z.infer<typeof metaValueSchema>

export const schematicSchema = z
  .object({
    overlay: z
      .object({
        image: text.default(''),
        name: text.default(''),
        options: z.record(text, optionValueSchema).optional(),
      })
      .strict()
      .optional(),
    customization: z
      .object({
        embeddedMachineConfiguration: text.optional(),
        extraKernelArgs: z.array(text).optional(),
        meta: z.array(metaValueSchema).optional(),
        systemExtensions: z
          .object({ officialExtensions: z.array(text.min(1, { message: 'is an empty name' })).optional() })
          .strict()
          .optional(),
        bootloader: z
          .enum(['none', ...bootloaders], { message: `must be one of none, ${bootloaders.join(', ')}` })
          .optional(),
        secureboot: z
          .object({
            enrollKeys: z
              .enum(enrollKeysModes, { message: `must be one of ${enrollKeysModes.join(', ')}` })
              .optional(),
            includeWellKnownCertificates: z.boolean().optional(),
          })
          .strict()
          .optional(),
        diskImage: z
          .object({
            sectorSize: z
              .number()
              .int({ message: 'must be a whole number of bytes' })
              .min(0, { message: 'cannot be negative' })
              .optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

export type Schematic = z.output<typeof schematicSchema>
export type SchematicInput = z.input<typeof schematicSchema>

export interface CanonicalSchematic {
  /** The bytes the factory hashes (talos.md §2.1). */
  yaml: string
  /** Why these bytes might differ from the factory's; empty when they are certain. */
  uncertain: string[]
}

/** The canonical YAML, rendered as the factory's go-yaml renders its Schematic struct. */
export function canonicalSchematic(schematic: Schematic): CanonicalSchematic {
  const uncertain: string[] = []
  const root: Array<[string, YamlNode]> = []
  const overlay = schematic.overlay
  const options = overlay?.options ?? {}
  if (overlay && (overlay.image !== '' || overlay.name !== '' || Object.keys(options).length > 0)) {
    const entries: Array<[string, YamlNode]> = [
      ['image', str(overlay.image)],
      ['name', str(overlay.name)],
    ]
    if (Object.keys(options).length > 0) entries.push(['options', optionNode(options, uncertain)])
    root.push(['overlay', { kind: 'map', entries }])
  }

  const c = schematic.customization ?? {}
  const custom: Array<[string, YamlNode]> = []
  if (c.embeddedMachineConfiguration)
    custom.push(['embeddedMachineConfiguration', str(c.embeddedMachineConfiguration)])
  if (c.extraKernelArgs?.length)
    custom.push(['extraKernelArgs', { kind: 'seq', items: c.extraKernelArgs.map(str) }])
  if (c.meta?.length) {
    const items = c.meta.map((m): YamlNode => ({
      kind: 'map',
      entries: [
        ['key', { kind: 'plain', text: String(m.key) }],
        ['value', str(m.value)],
      ],
    }))
    custom.push(['meta', { kind: 'seq', items }])
  }
  const extensions = c.systemExtensions?.officialExtensions ?? []
  if (extensions.length > 0) {
    const list: YamlNode = { kind: 'seq', items: extensions.map(str) }
    custom.push(['systemExtensions', { kind: 'map', entries: [['officialExtensions', list]] }])
  }
  // The factory's bootloader is an enum whose zero value, none, is omitted.
  if (c.bootloader && c.bootloader !== 'none') custom.push(['bootloader', str(c.bootloader)])
  const secureboot: Array<[string, YamlNode]> = []
  if (c.secureboot?.enrollKeys !== undefined) {
    uncertain.push('secureboot.enrollKeys (whether if-safe is the omitted default is not confirmed)')
    if (c.secureboot.enrollKeys !== 'if-safe') secureboot.push(['enrollKeys', str(c.secureboot.enrollKeys)])
  }
  if (c.secureboot?.includeWellKnownCertificates) {
    secureboot.push(['includeWellKnownCertificates', { kind: 'plain', text: 'true' }])
  }
  if (secureboot.length > 0) custom.push(['secureboot', { kind: 'map', entries: secureboot }])
  if (c.diskImage?.sectorSize) {
    custom.push([
      'diskImage',
      { kind: 'map', entries: [['sectorSize', { kind: 'plain', text: String(c.diskImage.sectorSize) }]] },
    ])
  }
  root.push(['customization', { kind: 'map', entries: custom }])

  const emitted = emitYaml({ kind: 'map', entries: root })
  return { yaml: emitted.text, uncertain: [...new Set([...uncertain, ...emitted.uncertain])] }
}

function str(value: string): YamlNode {
  return { kind: 'str', value }
}

function optionNode(value: OptionValue, uncertain: string[]): YamlNode {
  if (typeof value === 'string') return str(value)
  if (typeof value === 'boolean') return { kind: 'plain', text: String(value) }
  if (value === null) return { kind: 'plain', text: 'null' }
  if (typeof value === 'number') {
    return {
      kind: 'plain',
      text: Number.isInteger(value) && !Object.is(value, -0) ? String(value) : formatGoFloat(value),
    }
  }
  if (Array.isArray(value)) return { kind: 'seq', items: value.map((item) => optionNode(item, uncertain)) }
  const keys = Object.keys(value)
  if (keys.some((key) => /[^\x20-\x7e]/.test(key)))
    uncertain.push('an overlay option key with non-ASCII characters')
  return {
    kind: 'map',
    entries: sortKeysNaturally(keys).map((key) => [key, optionNode(value[key]!, uncertain)]),
  }
}

/** hex(sha256(canonical YAML)): the schematic ID, computed offline with WebCrypto. */
export async function schematicId(schematic: Schematic): Promise<string> {
  return sha256Hex(canonicalSchematic(schematic).yaml)
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Byte-wise (UTF-8) order, as Go's slices.Sort orders strings. */
export function compareBytewise(a: string, b: string): number {
  const ab = new TextEncoder().encode(a)
  const bb = new TextEncoder().encode(b)
  for (let i = 0; i < Math.min(ab.length, bb.length); i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!
  return ab.length - bb.length
}

/** Splits a kernel command line on runs of whitespace: no empty arguments, which change the ID. */
export function splitKernelArgs(cmdline: string): string[] {
  return cmdline.split(/\s+/).filter((arg) => arg !== '')
}

/**
 * What the factory's web UI would send for the same choices: official extensions sorted byte-wise
 * ascending (its ToSchematic runs slices.Sort) without duplicates, and kernel arguments split on
 * whitespace. The factory's POST keeps whatever order it is given, so IDs differ without this.
 */
export function normalizeSchematic(schematic: Schematic): Schematic {
  const c = schematic.customization
  if (!c) return schematic
  const extensions = c.systemExtensions?.officialExtensions
  return {
    ...schematic,
    customization: {
      ...c,
      ...(c.extraKernelArgs ? { extraKernelArgs: c.extraKernelArgs.flatMap(splitKernelArgs) } : {}),
      ...(extensions
        ? { systemExtensions: { officialExtensions: [...new Set(extensions)].sort(compareBytewise) } }
        : {}),
    },
  }
}

/** Parses and checks a schematic given as data (JSON, or the UI's model). */
export function parseSchematic(input: unknown): Schematic {
  return schematicSchema.parse(input)
}
