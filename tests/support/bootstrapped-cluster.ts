// A cluster record as a deploy through bootstrap leaves it — its nodes recorded, and the kubeconfig,
// talosconfig, each node's machine config and Grafana's password sealed through the cluster service into the real
// keychain — for the tests of what the user does with those configs. The values are test values
// in the shapes talosctl writes, each secret random so a test can look for it anywhere.
import { randomBytes } from 'node:crypto'
import { ClusterRepository } from '../../src-main/clusters/cluster-repository.ts'
import type { AppCore } from '../../src-main/core/app-core.ts'
import { clusterDataKeyAccount } from '../../src-main/secrets/sealed-secrets.ts'
import type { SecretStore } from '../../src-main/secrets/secret-store.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import type { RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { clusterNodeOf } from '../../src-shared/clusters/cluster-schema.ts'

export interface BootstrappedCluster {
  id: string
  kubeconfig: string
  talosconfig: string
  /** By host name, as sealed (unmasked). */
  machineConfigs: Record<string, string>
  /** Grafana's admin password, as the monitoring install seals it. */
  grafanaPassword: string
  /** The secrets inside the sealed values: a test expects none of them where they must not be. */
  secrets: string[]
  /** Deletes the cluster's data key from the keychain. */
  forget(): Promise<void>
}

const secret = (bytes = 24) => randomBytes(bytes).toString('base64')

export async function sealBootstrappedCluster(
  core: AppCore,
  keychain: SecretStore,
  { name, board }: { name: string; board: string },
): Promise<BootstrappedCluster> {
  const call = async <N extends RequestName>(request: N, input: unknown) => {
    const result = await core.dispatch(request, input)
    if (!result.ok) throw new Error(`${request}: ${result.error.message}`)
    return result.value as RequestOutput<N>
  }
  const saved =
    (await call('profiles.list', {})).find((profile) => profile.name === name) ??
    (await call('profiles.fromTemplate', { template: 'talos-rk1-longhorn', name, board })).saved
  const record = core.clusters.forProfile(saved.id, saved.profile)
  const now = new Date().toISOString()
  // The nodes as the deploy's flash steps record them; straight into the record's table, as only
  // a run may write them through the service.
  const db = openDatabase(core.dataDir)
  try {
    new ClusterRepository(db).save({
      ...record,
      versions: saved.profile.versions,
      apiEndpoint: `https://${saved.profile.network.apiEndpoint}:6443`,
      nodes: saved.profile.nodes.map((node) => ({ ...clusterNodeOf(node), flashedAt: now })),
    })
  } finally {
    db.close()
  }

  const clientKey = secret(200)
  const talosKey = secret(120)
  const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: ${name}
  cluster:
    server: https://127.0.0.11:6443
    certificate-authority-data: ${secret()}
users:
- name: admin@${name}
  user:
    client-certificate-data: ${secret()}
    client-key-data: ${clientKey}
contexts:
- name: admin@${name}
  context:
    cluster: ${name}
    namespace: default
    user: admin@${name}
current-context: admin@${name}
`
  const controlPlanes = saved.profile.nodes.filter((node) => node.role === 'control-plane')
  const talosconfig = `context: ${name}
contexts:
    ${name}:
        endpoints:
${controlPlanes.map((_, i) => `            - 127.0.0.${11 + i}\n`).join('')}        nodes:
${saved.profile.nodes.map((_, i) => `            - 127.0.0.${11 + i}\n`).join('')}        ca: ${secret()}
        crt: ${secret()}
        key: ${talosKey}
`
  const grafanaPassword = secret(18)
  const secrets = [clientKey, talosKey, grafanaPassword]
  const machineConfigs: Record<string, string> = {}
  const clusterSecrets = {
    token: `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`,
    secretbox: secret(32),
    caKey: secret(),
  }
  secrets.push(...Object.values(clusterSecrets))
  for (const node of saved.profile.nodes) {
    const machineToken = `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`
    const osKey = secret()
    secrets.push(machineToken, osKey)
    machineConfigs[node.hostname] = `version: v1alpha1
machine:
  type: ${node.role === 'control-plane' ? 'controlplane' : 'worker'}
  token: ${machineToken}
  ca:
    crt: ${secret()}
    key: ${osKey}
  install:
    disk: /dev/mmcblk0
cluster:
  clusterName: ${name}
  controlPlane:
    endpoint: https://${saved.profile.network.apiEndpoint}:6443
  token: ${clusterSecrets.token}
  secretboxEncryptionSecret: ${clusterSecrets.secretbox}
  ca:
    crt: ${secret()}
    key: ${clusterSecrets.caKey}
---
apiVersion: v1alpha1
kind: HostnameConfig
hostname: ${node.hostname}
`
  }

  await core.clusters.sealSecret(record.id, 'kubeconfig', kubeconfig)
  await core.clusters.sealSecret(record.id, 'talosconfig', talosconfig)
  await core.clusters.sealSecret(record.id, sealedNames.grafanaAdminPassword, grafanaPassword)
  for (const [hostname, yaml] of Object.entries(machineConfigs))
    await core.clusters.sealSecret(record.id, sealedNames.machineConfig(hostname), yaml)

  return {
    id: record.id,
    kubeconfig,
    talosconfig,
    machineConfigs,
    grafanaPassword,
    secrets,
    forget: async () => void (await keychain.delete(clusterDataKeyAccount(record.id))),
  }
}
