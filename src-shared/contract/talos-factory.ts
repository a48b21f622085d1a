// The Talos Image Factory: its catalogue (versions, official extensions, overlays; cached for
// offline use), resolving a schematic to its ID (computed offline, confirmed by the factory when
// online), the image URL and installer reference, and saved schematics. Building a schematic from
// the builder's choices is pure: src-shared/talos/schematic-builder.ts. Downloading the image is
// images.pull with the imageUrl returned here.
import { z } from 'zod'
import { schematicSchema } from '../talos/schematic.ts'
import { defineRequest } from './define.ts'

const versionInput = z.string().min(1, { message: 'is empty: give a Talos version such as v1.9.2' })

/** Where a catalogue answer came from, and what could not be fetched. */
const catalogueSource = {
  /** "factory": fetched just now; "cache": from the last successful fetch. */
  source: z.enum(['factory', 'cache']),
  fetchedAt: z.string().nullable(),
  /** Set when the factory could not be asked: what failed (offline, timeout, …). */
  unavailable: z.string().nullable(),
}

export const factoryExtensionSchema = z.object({
  name: z.string(),
  ref: z.string(),
  digest: z.string(),
  author: z.string(),
  description: z.string(),
})

export const factoryOverlaySchema = z.object({
  name: z.string(),
  image: z.string(),
  ref: z.string(),
  digest: z.string(),
})

export const resolvedSchematicSchema = z.object({
  /** Computed offline from the canonical YAML. */
  id: z.string(),
  /** The canonical YAML the ID is the SHA-256 of. */
  yaml: z.string(),
  /** Why the offline ID might differ from the factory's; empty when it is certain. */
  uncertain: z.array(z.string()),
  /** The factory's ID from POST /schematics (or remembered from an earlier POST); null offline. */
  confirmedId: z.string().nullable(),
  /** The factory's canonical YAML, when it sent one. */
  factoryYaml: z.string().nullable(),
  /** The factory gave another ID than the offline one: the factory's is used for URLs. */
  mismatch: z.boolean(),
  /** The factory could not be asked; the offline ID is used. */
  offline: z.boolean(),
  /** What went wrong asking the factory, when offline. */
  factoryProblem: z.string().nullable(),
  /** The ID the URLs use: the factory's when known, else the offline one. */
  effectiveId: z.string(),
  /** Null when no Talos version and architecture were given. */
  imageUrl: z.string().nullable(),
  installerImage: z.string().nullable(),
})
export type ResolvedSchematic = z.infer<typeof resolvedSchematicSchema>

export const savedSchematicSchema = z.object({
  name: z.string(),
  schematic: schematicSchema,
  id: z.string(),
  confirmedId: z.string().nullable(),
  mismatch: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type SavedSchematic = z.infer<typeof savedSchematicSchema>

export const talosFactoryRequests = {
  'factory.versions': defineRequest({
    description:
      'The Talos versions the Image Factory builds, newest first (cached; the cache answers offline). Prereleases are marked.',
    input: z.object({ refresh: z.boolean().optional() }).strict(),
    output: z.object({
      versions: z.array(z.object({ version: z.string(), prerelease: z.boolean() })),
      ...catalogueSource,
    }),
  }),
  'factory.extensions': defineRequest({
    description: 'The official system extensions for a Talos version (cached; the cache answers offline).',
    input: z.object({ version: versionInput, refresh: z.boolean().optional() }).strict(),
    output: z.object({
      version: z.string(),
      extensions: z.array(factoryExtensionSchema),
      ...catalogueSource,
    }),
  }),
  'factory.overlays': defineRequest({
    description: 'The official SBC overlays for a Talos version (cached; the cache answers offline).',
    input: z.object({ version: versionInput, refresh: z.boolean().optional() }).strict(),
    output: z.object({ version: z.string(), overlays: z.array(factoryOverlaySchema), ...catalogueSource }),
  }),
  'factory.schematic.resolve': defineRequest({
    description:
      'A schematic → its ID computed offline, confirmed with the factory (POST /schematics) when online, the image URL and the installer image reference.',
    input: z
      .object({
        schematic: schematicSchema,
        talosVersion: versionInput.optional(),
        arch: z.enum(['amd64', 'arm64']).optional(),
        platform: z
          .string()
          .regex(/^[a-z0-9-]+$/, { message: 'must be a Talos platform such as metal' })
          .optional(),
        /** always (default): ask the factory; if-uncertain: only when the offline ID is unsure; never. */
        confirm: z.enum(['always', 'if-uncertain', 'never']).optional(),
      })
      .strict(),
    output: resolvedSchematicSchema,
  }),
  'factory.schematics.list': defineRequest({
    description: 'The saved schematics, by name.',
    input: z.object({}).strict(),
    output: z.array(savedSchematicSchema),
  }),
  'factory.schematics.save': defineRequest({
    description: 'Saves (or replaces) a named schematic with its ID, confirmed with the factory when online.',
    input: z
      .object({
        name: z
          .string()
          .trim()
          .min(1, { message: 'is empty: give the schematic a name' })
          .max(80, { message: 'is longer than 80 characters' }),
        schematic: schematicSchema,
      })
      .strict(),
    output: savedSchematicSchema,
  }),
  'factory.schematics.remove': defineRequest({
    description: 'Forgets a saved schematic.',
    input: z.object({ name: z.string().min(1) }).strict(),
    output: z.object({ removed: z.boolean() }),
  }),
}
