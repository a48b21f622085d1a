// A cluster profile: the whole cluster described once — which board slot is which node, the
// network, versions, the image each node gets, and the add-ons. It holds no secrets, so it can be
// exported to YAML and kept in Git next to the rest of a home lab's infrastructure code. Boards are
// named, not referenced by id, so a profile moves between machines.
import { z } from 'zod'
import { sshKeyPattern, timezoneSchema } from '../armbian/first-boot-preset.ts'
import { nodeNumberSchema } from '../bmc/node-number.ts'
import { sha256Schema } from '../images/image-schemas.ts'

export const profileApiVersion = 'clusterdeck/v1'

const hostnameSchema = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: 'must be a host name: lower-case letters, digits and dashes, 1–63 characters',
})

/** Where a node's image comes from. Resolved into a cached raw image by the image-preparation phase. */
export const imageSourceSchema = z.union([
  z.object({ cached: sha256Schema }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
  z
    .object({
      url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
      sha256: sha256Schema.optional(),
    })
    .strict(),
  z
    .object({
      talosFactory: z
        .object({
          /** A saved schematic's name or a preset (longhorn, longhorn-nfs, full, none). */
          schematic: z.string().min(1),
          board: z
            .enum(['turing-rk1', 'rpi-generic', 'rpi-5', 'metal-arm64', 'metal-amd64'])
            .default('turing-rk1'),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      armbian: z
        .object({
          distro: z.string().default('trixie'),
          variant: z.enum(['minimal', 'server', 'desktop']).default('minimal'),
          branch: z.enum(['vendor', 'current', 'edge']).default('vendor'),
        })
        .strict(),
    })
    .strict(),
])
export type ImageSource = z.infer<typeof imageSourceSchema>

export const profileNodeSchema = z
  .object({
    hostname: hostnameSchema,
    role: z.enum(['control-plane', 'worker']),
    board: z.string().min(1, { message: 'is empty: name the saved board this node sits on' }),
    slot: nodeNumberSchema,
    address: z.string(),
    installDisk: z
      .string()
      .regex(/^\/dev\/[\w/.-]+$/, { message: 'must be a device path such as /dev/mmcblk0' }),
    nvme: z
      .object({
        device: z
          .string()
          .regex(/^\/dev\/[\w/.-]+$/, { message: 'must be a device path such as /dev/nvme0n1' }),
        mountPoint: z.string().regex(/^\/[\w/.-]*$/, { message: 'must be an absolute path' }),
      })
      .strict()
      .optional(),
    /** Overrides the profile's image for this node. */
    image: imageSourceSchema.optional(),
  })
  .strict()
export type ProfileNode = z.infer<typeof profileNodeSchema>

const addonSwitch = z.object({ enabled: z.boolean().default(true) })

export const addonsSchema = z
  .object({
    metallb: addonSwitch.strict().default({ enabled: true }),
    /** Retired upstream (docs/addons.md); kept the default so saved profiles mean what they meant. */
    ingressNginx: addonSwitch.strict().default({ enabled: true }),
    /** The maintained ingress controller to choose instead of ingress-nginx. */
    traefik: addonSwitch.strict().default({ enabled: false }),
    certManager: addonSwitch
      .extend({ selfSignedIssuer: z.boolean().default(true) })
      .strict()
      .default({
        enabled: true,
        selfSignedIssuer: true,
      }),
    longhorn: addonSwitch
      .extend({ replicaCount: z.number().int().min(1).max(10).default(2) })
      .strict()
      .default({
        enabled: true,
        replicaCount: 2,
      }),
    monitoring: addonSwitch
      .extend({
        /** Prometheus's volume; unset: the platform's default (Talos 20Gi, K3s 10Gi). */
        storageSize: z
          .string()
          .regex(/^\d+(Mi|Gi|Ti)$/, { message: 'must be a size such as 20Gi' })
          .optional(),
      })
      .strict()
      .default({ enabled: true }),
    portainer: addonSwitch.strict().default({ enabled: true }),
  })
  .strict()
export type Addons = z.infer<typeof addonsSchema>

/**
 * How the app logs in to K3s nodes after their first boot (docs/k3s-bootstrap.md). The root
 * password is not here (a profile holds no secrets): it is the one saved in the keychain for the
 * profile, or one the first login generates and seals with the cluster.
 */
export const nodeAccessSchema = z
  .object({
    /** The login user after the first boot; anyone but root runs the steps' commands through sudo. */
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { message: 'must be a Linux user name such as root or admin' })
      .default('root'),
    timezone: timezoneSchema.default('UTC'),
    /** The user's own public keys, installed beside the cluster's key. */
    authorizedKeys: z
      .array(
        z.string().trim().regex(sshKeyPattern, {
          message: 'must be one OpenSSH public key line, e.g. "ssh-ed25519 AAAA… you@host"',
        }),
      )
      .default([]),
  })
  .strict()
export type NodeAccess = z.output<typeof nodeAccessSchema>

/** The node access of a profile that does not say (K3s). */
export function nodeAccessOf(profile: { nodeAccess?: NodeAccess | undefined }): NodeAccess {
  return profile.nodeAccess ?? nodeAccessSchema.parse({})
}

export const clusterProfileSchema = z
  .object({
    apiVersion: z
      .literal(profileApiVersion, { error: `must be ${profileApiVersion}` })
      .default(profileApiVersion),
    kind: z.literal('ClusterProfile', { error: 'must be ClusterProfile' }).default('ClusterProfile'),
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
      message: 'must be a cluster name: lower-case letters, digits and dashes',
    }),
    distribution: z.enum(['talos', 'k3s']),
    versions: z
      .object({
        talos: z
          .string()
          .regex(/^v\d+\.\d+\.\d+(-[\w.]+)?$/, { message: 'must look like v1.13.9' })
          .optional(),
        kubernetes: z
          .string()
          .regex(/^v?\d+\.\d+\.\d+$/, { message: 'must look like 1.36.1' })
          .optional(),
        k3s: z
          .string()
          .regex(/^v\d+\.\d+\.\d+\+k3s\d+$/, { message: 'must look like v1.36.4+k3s1' })
          .optional(),
      })
      .strict(),
    network: z
      .object({
        nodeCidr: z.string(),
        gateway: z.string(),
        dns: z.array(z.string()).min(1, { message: 'needs at least one DNS server' }),
        /** The address clients reach the Kubernetes API on (a control-plane node, or the VIP). */
        apiEndpoint: z.string(),
        /** Optional shared address of the control planes (Talos VIP / kube-vip). */
        vip: z.string().optional(),
        podCidr: z.string(),
        serviceCidr: z.string(),
        metallbRange: z.string().optional(),
      })
      .strict(),
    /** The image every node gets unless it names its own. */
    image: imageSourceSchema,
    nodes: z.array(profileNodeSchema).min(1, { message: 'needs at least one node' }),
    addons: addonsSchema.default(addonsSchema.parse({})),
    /** K3s only: the login after the first boot. */
    nodeAccess: nodeAccessSchema.optional(),
    timeouts: z
      .object({
        bootSeconds: z.number().int().min(10).max(3600).default(300),
        /** How long the bootstrapped cluster may take until every node is Ready. */
        readySeconds: z.number().int().min(30).max(7200).default(900),
      })
      .strict()
      .default({ bootSeconds: 300, readySeconds: 900 }),
  })
  .strict()

export type ClusterProfile = z.output<typeof clusterProfileSchema>
export type ClusterProfileInput = z.input<typeof clusterProfileSchema>

/** A saved profile as the app lists it. */
export const savedProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  distribution: z.enum(['talos', 'k3s']),
  profile: clusterProfileSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type SavedProfile = z.infer<typeof savedProfileSchema>
