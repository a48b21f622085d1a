// Requests about one node of a cluster over SSH, outside runs: a command as root, its host key and
// the explicit "trust the new key" action, and the node password kept in the keychain (docs/ssh.md).
import { z } from 'zod'
import { defineRequest } from './define.ts'

const profileRef = z.string().trim().min(1, { message: 'is empty: name a profile' })
const hostname = z.string().trim().min(1, { message: 'is empty: name a node of the profile' })
export const sshFingerprintSchema = z
  .string()
  .trim()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, {
    message: 'must be an SSH fingerprint as SHA256:… (43 characters after it)',
  })

const hostKeySchema = z.object({ algorithm: z.string(), fingerprint: z.string() })

export const nodeHostKeySchema = z.object({
  /** The address and port the node answers SSH on (after ~/.ssh/config), as pins are kept. */
  host: z.string(),
  port: z.number().int(),
  /** The key trusted so far; null before the first connection. */
  pinned: hostKeySchema.nullable(),
  /** The key the node presents now. */
  presented: hostKeySchema,
})
export type NodeHostKey = z.infer<typeof nodeHostKeySchema>

export const nodeRequests = {
  'nodes.exec': defineRequest({
    description:
      'Runs a shell command as root on a node of the profile’s cluster (SSH with the cluster’s key; sudo for a non-root login) and returns its exit code and output. A non-zero exit is a result, not an error.',
    input: z
      .object({
        profile: profileRef,
        host: hostname,
        command: z.string().trim().min(1, { message: 'is empty: give the command to run' }),
        timeoutSeconds: z.number().int().min(1).max(86_400).optional(),
      })
      .strict(),
    output: z.object({ exitCode: z.number().int(), stdout: z.string(), stderr: z.string() }),
  }),
  'nodes.hostKey': defineRequest({
    description:
      'The SSH host key a node presents now and the one pinned for it, as SHA256 fingerprints (nothing is pinned or sent).',
    input: z.object({ profile: profileRef, host: hostname }).strict(),
    output: nodeHostKeySchema,
  }),
  'nodes.trustHostKey': defineRequest({
    description:
      'Pins exactly the given fingerprint for the node, replacing the old pin; refused (conflict) unless the node presents that key now.',
    input: z.object({ profile: profileRef, host: hostname, fingerprint: sshFingerprintSchema }).strict(),
    output: nodeHostKeySchema,
  }),
  'nodes.setPassword': defineRequest({
    description:
      'Keeps the profile’s node password in the OS keychain: the root password the first login sets, and the sudo password of a non-root login. Never returned.',
    input: z
      .object({ profile: profileRef, password: z.string().min(1, { message: 'is empty' }).max(1024) })
      .strict(),
    output: z.object({}),
  }),
  'nodes.clearPassword': defineRequest({
    description: 'Deletes the profile’s node password from the keychain.',
    input: z.object({ profile: profileRef }).strict(),
    output: z.object({ cleared: z.boolean() }),
  }),
}
