// The admin kubeconfig K3s writes to /etc/rancher/k3s/k3s.yaml names the cluster, user and context
// "default" and the server https://127.0.0.1:6443 (K3s reference §1.4). Here it is checked against
// that shape and rewritten structurally — server to the profile's API endpoint (one of the
// certificate's SANs, see k3s-install.ts), every name to the cluster's — never by replacing text.
// The YAML itself is parsed and written by the caller (src-shared imports no YAML library). Error
// messages name fields, never values: the file holds the client key.
import { z } from 'zod'
import { AppError } from '../contract/app-error.ts'
import { apiServerUrl } from './k3s-install.ts'
import type { RemoteCommand } from './remote-command.ts'

export const k3sKubeconfigPath = '/etc/rancher/k3s/k3s.yaml'

/** Prints the admin kubeconfig; the caller parses the YAML and hands it to `rewriteK3sKubeconfig`. */
export const readKubeconfigCommand: RemoteCommand = {
  command: `cat ${k3sKubeconfigPath}`,
  secretStdout: true,
}

const base64 = z.string().regex(/^[A-Za-z0-9+/=\s]+$/, { message: 'must be base64 data' })

const kubeconfigSchema = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('Config'),
    clusters: z
      .array(
        z.object({
          name: z.string().min(1),
          cluster: z.looseObject({
            server: z.string().startsWith('https://'),
            'certificate-authority-data': base64,
          }),
        }),
      )
      .length(1, { message: 'must hold exactly one cluster' }),
    users: z
      .array(
        z.object({
          name: z.string().min(1),
          user: z.looseObject({ 'client-certificate-data': base64, 'client-key-data': base64 }),
        }),
      )
      .length(1, { message: 'must hold exactly one user' }),
    contexts: z
      .array(
        z.object({
          name: z.string().min(1),
          context: z.looseObject({ cluster: z.string(), user: z.string() }),
        }),
      )
      .length(1, { message: 'must hold exactly one context' }),
    'current-context': z.string(),
    preferences: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((config, context) => {
    const [cluster, user, ctx] = [config.clusters[0]!, config.users[0]!, config.contexts[0]!]
    if (ctx.context.cluster !== cluster.name || ctx.context.user !== user.name)
      context.addIssue({
        code: 'custom',
        path: ['contexts', 0, 'context'],
        message: 'does not name the file’s cluster and user',
      })
  })

export type K3sKubeconfig = z.output<typeof kubeconfigSchema>

/**
 * The kubeconfig as the cluster's users get it: `name` everywhere, the server at `apiEndpoint` —
 * or, with `keepServer`, where the file says (a virtual node's kubeconfig names the loopback API
 * the test peers run, which is where the cluster answers on a virtual board).
 */
export function rewriteK3sKubeconfig(
  document: unknown,
  {
    clusterName,
    apiEndpoint,
    keepServer = false,
  }: { clusterName: string; apiEndpoint: string; keepServer?: boolean },
): K3sKubeconfig {
  const parsed = kubeconfigSchema.safeParse(document)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AppError(
      'tool_failed',
      `The kubeconfig K3s wrote (${k3sKubeconfigPath}) is not as expected: ${issue.path.join('.') || 'the file'} ${issue.message}.`,
      'Check the K3s server (systemctl status k3s); reinstalling the server writes the file anew.',
    )
  }
  const config = parsed.data
  const server = keepServer ? config.clusters[0]!.cluster.server : apiServerUrl(apiEndpoint)
  return {
    ...config,
    clusters: [{ name: clusterName, cluster: { ...config.clusters[0]!.cluster, server } }],
    users: [{ ...config.users[0]!, name: clusterName }],
    contexts: [
      {
        name: clusterName,
        context: { ...config.contexts[0]!.context, cluster: clusterName, user: clusterName },
      },
    ],
    'current-context': clusterName,
  }
}
