// A kubeconfig checked before use: the current context must name a cluster with an https server
// (client-node refuses plain http unless TLS checks are off) and a user that authenticates by
// certificate or token. Exec plugins and auth providers are refused: Clusterdeck's kubeconfigs
// come from talosctl (embedded client certificates), and a kubeconfig must never make the app run
// a program. Error messages name fields and context names, never values: a kubeconfig holds
// private keys and tokens.
import { KubeConfig } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { z } from 'zod'
import { AppError, describeIssues } from '../../src-shared/contract/app-error.ts'

const kubeconfigSchema = z.object({
  clusters: z.array(z.object({ name: z.string().min(1), cluster: z.object({ server: z.string().min(1) }) })),
  users: z.array(z.object({ name: z.string().min(1), user: z.record(z.string(), z.unknown()).nullish() })),
  contexts: z.array(
    z.object({
      name: z.string().min(1),
      context: z.object({ cluster: z.string(), user: z.string().optional() }),
    }),
  ),
  'current-context': z.string({ error: 'no current context is set' }).min(1, 'no current context is set'),
})

export interface LoadedKubeconfig {
  kubeConfig: KubeConfig
  /** The API server's origin (scheme, host, port): what error messages name. */
  server: string
}

const hint =
  'Use the kubeconfig talosctl hands out for the cluster (Clusterdeck keeps it sealed with the cluster), or download it again.'

function invalid(problem: string): AppError {
  return new AppError('invalid_input', `The kubeconfig is not usable: ${problem}.`, hint)
}

/** `sourcePath`: the file the text came from, against which relative certificate paths resolve. */
export function loadKubeconfig(yamlText: string, sourcePath?: string): LoadedKubeconfig {
  let document: unknown
  try {
    document = parse(yamlText)
  } catch (error) {
    // The parser's message quotes the offending text, which may be a key: only the line is named.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line
    throw invalid(`it is not valid YAML${line === undefined ? '' : ` (line ${line})`}`)
  }
  const parsed = kubeconfigSchema.safeParse(document)
  if (!parsed.success) throw invalid(describeIssues(parsed.error))
  const config = parsed.data
  const contextName = config['current-context']
  const context = config.contexts.find((c) => c.name === contextName)?.context
  if (!context) throw invalid(`the current context "${contextName}" is not among its contexts`)
  const cluster = config.clusters.find((c) => c.name === context.cluster)?.cluster
  if (!cluster)
    throw invalid(`context "${contextName}" names cluster "${context.cluster}", which it does not define`)
  const server = serverOrigin(cluster.server)
  if (!server) throw invalid(`cluster "${context.cluster}" has no https:// server URL`)
  if (context.user !== undefined) {
    const user = config.users.find((u) => u.name === context.user)
    if (!user)
      throw invalid(`context "${contextName}" names user "${context.user}", which it does not define`)
    if (user.user?.exec !== undefined || user.user?.['auth-provider'] !== undefined) {
      throw invalid(
        `user "${context.user}" signs in through an exec plugin or auth provider, which Clusterdeck does not run; it needs client certificates or a token`,
      )
    }
  }
  const kubeConfig = new KubeConfig()
  try {
    if (sourcePath === undefined) kubeConfig.loadFromString(yamlText)
    else kubeConfig.loadFromFile(sourcePath)
  } catch (error) {
    throw invalid((error as Error).message)
  }
  return { kubeConfig, server }
}

function serverOrigin(server: string): string | undefined {
  try {
    const url = new URL(server)
    return url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}
