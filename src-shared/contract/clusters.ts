import { z } from 'zod'
import { clusterBackupSchema } from '../clusters/cluster-backups.ts'
import { clusterRecordSchema } from '../clusters/cluster-schema.ts'
import { clusterHealthSchema } from '../clusters/health-schema.ts'
import { defineEvent, defineRequest } from './define.ts'

const refSchema = z.string().trim().min(1, { message: 'is empty: name a cluster or a profile' })
const clusterRef = z.object({ ref: refSchema }).strict()

/** A client config as the user saves it: a suggested file name and the YAML. */
const configFileSchema = z.object({ fileName: z.string(), content: z.string() })

export const configKinds = ['kubeconfig', 'talosconfig'] as const
export type ConfigKind = (typeof configKinds)[number]

export const mergeOutcomes = ['added', 'unchanged', 'replaced', 'renamed'] as const
export type MergeOutcome = (typeof mergeOutcomes)[number]

export const clusterRequests = {
  'clusters.list': defineRequest({
    description: 'The cluster records: what each profile’s runs actually deployed (no secrets).',
    input: z.object({}).strict(),
    output: z.array(clusterRecordSchema),
  }),
  'clusters.get': defineRequest({
    description: 'One cluster record, by its id or by its profile’s name or id.',
    input: z.object({ ref: refSchema }),
    output: clusterRecordSchema,
  }),
  'clusters.kubeconfig': defineRequest({
    description:
      'The cluster’s admin kubeconfig as it was sealed at bootstrap (it holds the client key: for the user to save, never to log).',
    input: clusterRef,
    output: configFileSchema,
  }),
  'clusters.talosconfig': defineRequest({
    description: 'The cluster’s talosconfig as it was sealed at bootstrap (it holds the client key).',
    input: clusterRef,
    output: configFileSchema,
  }),
  'clusters.machineConfigs': defineRequest({
    description:
      'Each node’s sealed machine config with every key, token and secret masked (certificates, names and addresses stay readable).',
    input: clusterRef,
    output: z.array(
      z.object({ hostname: z.string(), role: z.enum(['control-plane', 'worker']), yaml: z.string() }),
    ),
  }),
  'clusters.mergeTarget': defineRequest({
    description:
      'Where clusters.mergeConfig would write (~/.kube/config or $KUBECONFIG’s first file; ~/.talos/config or $TALOSCONFIG) and the context it would add.',
    input: z.object({ ref: refSchema, kind: z.enum(configKinds) }).strict(),
    output: z.object({ path: z.string(), context: z.string() }),
  }),
  'clusters.mergeConfig': defineRequest({
    description:
      'Merges the kubeconfig or talosconfig into the user’s config file under a context named after the cluster, keeping every other entry. Another config under that name is a conflict (error code "conflict", details.context) unless onConflict is "replace" or "rename".',
    input: z
      .object({
        ref: refSchema,
        kind: z.enum(configKinds),
        /** An absolute path instead of the default file. */
        path: z
          .string()
          .refine((path) => /^(\/|[A-Za-z]:[\\/])/.test(path), { message: 'must be an absolute path' })
          .optional(),
        onConflict: z.enum(['refuse', 'replace', 'rename']).default('refuse'),
      })
      .strict(),
    output: z.object({ path: z.string(), context: z.string(), outcome: z.enum(mergeOutcomes) }),
  }),
  'clusters.health': defineRequest({
    description:
      'The cluster’s health: nodes, pods that are not Ready, each enabled add-on, recent warnings, and a verdict (healthy, degraded, unreachable) with reasons. Asking starts watching the cluster; changes come as clusters.healthChanged while it is asked for again within a minute.',
    input: clusterRef,
    output: clusterHealthSchema,
  }),
  'clusters.backups': defineRequest({
    description:
      'The cluster’s etcd snapshots kept in the data directory, newest first: file, time, size, sha256, node and version.',
    input: clusterRef,
    output: z.array(clusterBackupSchema),
  }),
  'clusters.exportSecrets': defineRequest({
    description:
      'The cluster’s secrets (Talos secrets bundle, talosconfig, kubeconfig, K3s token, SSH key — those sealed) as one age-encrypted, armored file, to a passphrase (scrypt) or an age recipient. Only the encrypted file leaves the core.',
    input: z
      .object({
        ref: refSchema,
        to: z.union([
          z.object({ passphrase: z.string().min(1) }).strict(),
          z
            .object({
              ageRecipient: z.string().trim().regex(/^age1/, { message: 'must be an age recipient (age1…)' }),
            })
            .strict(),
        ]),
      })
      .strict(),
    output: z.object({
      fileName: z.string(),
      content: z.string(),
      names: z.array(z.string()),
    }),
  }),
  'clusters.importSecrets': defineRequest({
    description:
      'Seals the secrets of an export (clusters.exportSecrets) into the cluster of a profile, for a restore that rebuilds it: decrypted with the passphrase or age identity given, refused when the cluster already holds other secrets. Returns the names sealed.',
    input: z
      .object({
        profile: refSchema,
        content: z.string().min(1),
        key: z.union([
          z.object({ passphrase: z.string().min(1) }).strict(),
          z
            .object({
              identity: z
                .string()
                .trim()
                .regex(/^AGE-SECRET-KEY-/, { message: 'must be an age identity' }),
            })
            .strict(),
        ]),
      })
      .strict(),
    output: z.object({ cluster: z.string(), names: z.array(z.string()) }),
  }),
  'clusters.addonSecret': defineRequest({
    description:
      'An add-on’s login as sealed at its install: Grafana’s admin user and password (for the user to see on request, never to log).',
    input: z.object({ ref: refSchema, addon: z.literal('monitoring') }).strict(),
    output: z.object({ user: z.string(), password: z.string() }),
  }),
}

export const clusterEvents = {
  'clusters.healthChanged': defineEvent({
    description:
      'A watched cluster’s health changed (a node, pod, add-on or warning, or whether it can be reached).',
    payload: clusterHealthSchema,
  }),
}
