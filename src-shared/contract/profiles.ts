import { z } from 'zod'
import { clusterProfileSchema, savedProfileSchema } from '../profiles/profile-schema.ts'
import { profileTemplates } from '../profiles/profile-templates.ts'
import { defineEvent, defineRequest } from './define.ts'

const profileIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
})

/** The largest profile YAML accepted, from a file or a client; real profiles are a few KiB. */
export const profileYamlMaxBytes = 1024 * 1024

// Counted in characters here; the file reader counts bytes, and a file within that decodes to fewer.
const profileYaml = z.string().max(profileYamlMaxBytes, {
  message: `is longer than ${profileYamlMaxBytes / 1024 / 1024} MiB: a profile is a few KiB`,
})

const ref = z.object({
  ref: z.string().trim().min(1, { message: 'is empty: name a profile by its name or id' }),
})

export const profileRequests = {
  'profiles.list': defineRequest({
    description: 'Every saved cluster profile.',
    input: z.object({}).strict(),
    output: z.array(savedProfileSchema),
  }),
  'profiles.get': defineRequest({
    description: 'One profile, by name or id.',
    input: ref,
    output: savedProfileSchema,
  }),
  'profiles.validate': defineRequest({
    description:
      'Checks a profile (structure, then addresses, ranges, roles, images, boards) without saving it. Accepts the profile as an object or as YAML text.',
    input: z.object({ profile: z.unknown().optional(), yaml: profileYaml.optional() }),
    output: z.object({ valid: z.boolean(), issues: z.array(profileIssueSchema) }),
  }),
  'profiles.save': defineRequest({
    description:
      'Saves a profile under its name (replacing one of the same name); refused while it has errors.',
    input: z.object({ profile: clusterProfileSchema }),
    output: z.object({ saved: savedProfileSchema, warnings: z.array(profileIssueSchema) }),
  }),
  'profiles.importYaml': defineRequest({
    description:
      'Reads a profile from YAML, validates it and saves it. A saved profile of the same name is replaced only with onConflict "replace"; by default the import is refused (conflict) so the user can be asked.',
    input: z.object({
      yaml: profileYaml.min(1, { message: 'is empty' }),
      onConflict: z.enum(['refuse', 'replace']).default('refuse'),
    }),
    output: z.object({ saved: savedProfileSchema, warnings: z.array(profileIssueSchema) }),
  }),
  'profiles.exportYaml': defineRequest({
    description: 'The profile as readable YAML, with no secrets in it.',
    input: ref,
    output: z.object({ fileName: z.string(), yaml: z.string() }),
  }),
  'profiles.templates': defineRequest({
    description: 'The templates new profiles start from.',
    input: z.object({}).strict(),
    output: z.array(z.object({ id: z.string(), title: z.string(), description: z.string() })),
  }),
  'profiles.fromTemplate': defineRequest({
    description: 'Creates and saves a profile from a template, its nodes on the given board.',
    input: z.object({
      template: z.enum(Object.keys(profileTemplates) as [keyof typeof profileTemplates]),
      name: clusterProfileSchema.shape.name,
      board: z.string().min(1, { message: 'is empty: name the board the nodes sit on' }),
    }),
    output: z.object({ saved: savedProfileSchema, warnings: z.array(profileIssueSchema) }),
  }),
  'profiles.remove': defineRequest({
    description: 'Deletes a saved profile (its runs stay in the history).',
    input: z.object({ id: z.string() }),
    output: z.object({ id: z.string(), name: z.string() }),
  }),
}

export const profileEvents = {
  'profiles.changed': defineEvent({
    description: 'A profile was saved or deleted (by this or another client).',
    payload: z.object({ name: z.string(), change: z.enum(['saved', 'removed']) }),
  }),
}
