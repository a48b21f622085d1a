// Talos secrets and machine configs, made by the real talosctl as the seeds' decision log says
// ("the official tool handles PKI and config"): `gen secrets` once per cluster, then `gen config
// --with-secrets` for the cluster, one `machineconfig patch` per node with the profile's patches,
// and `validate --mode metal` on every result before anything is applied. talosctl reads and
// writes files, so the work happens in a private folder (0700) that is deleted afterwards; what
// comes back is text for the caller to seal — it is never logged.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { nodePatches } from '../../src-shared/talos/machine-config-patches.ts'
import { minorOf } from '../tools/tool-manifest.ts'
import { inPrivateFolder, runTalosctl as talosctl, type TalosctlContext } from './talosctl-runner.ts'

export interface NodeMachineConfig {
  hostname: string
  role: 'control-plane' | 'worker'
  /** The whole machine config: it holds the cluster's keys, so it is a secret. */
  config: string
}

export interface TalosConfigSet {
  nodes: NodeMachineConfig[]
  /** Client credentials for the cluster's Talos API, endpoints set to the control planes. */
  talosconfig: string
}

/** `v1.13.9` → `v1.13`: the config contract gen uses, so a newer talosctl still writes what the nodes read. */
function contract(talosVersion: string): string {
  const minor = minorOf(talosVersion)
  if (!minor) throw new Error(`not a Talos version: ${talosVersion}`)
  return minor
}

/** A new secrets bundle (the cluster's identity: CAs, tokens, encryption secret). */
export function generateSecrets(context: TalosctlContext, talosVersion: string): Promise<string> {
  return inPrivateFolder(async (dir) => {
    const path = join(dir, 'secrets.yaml')
    await talosctl(context, ['gen', 'secrets', '--talos-version', contract(talosVersion), '-o', path])
    return readFile(path, 'utf8')
  })
}

export interface GenerateConfigsOptions {
  profile: ClusterProfile
  secretsYaml: string
  /** Per host name: the installer image of the schematic flashed on that node. */
  installerImages?: Record<string, string>
}

/** The machine config of every node and the talosconfig, each validated for metal. */
export function generateConfigs(
  context: TalosctlContext,
  options: GenerateConfigsOptions,
): Promise<TalosConfigSet> {
  const { profile } = options
  const talosVersion = profile.versions.talos
  if (!talosVersion) throw new Error('a Talos profile needs versions.talos')
  return inPrivateFolder(async (dir) => {
    const secretsPath = join(dir, 'secrets.yaml')
    await writeFile(secretsPath, options.secretsYaml, { mode: 0o600 })
    const out = join(dir, 'generated')
    await talosctl(context, [
      'gen',
      'config',
      profile.name,
      `https://${profile.network.apiEndpoint}:6443`,
      '--with-secrets',
      secretsPath,
      '--talos-version',
      contract(talosVersion),
      ...(profile.versions.kubernetes
        ? ['--kubernetes-version', profile.versions.kubernetes.replace(/^v/, '')]
        : []),
      '--with-docs=false',
      '--with-examples=false',
      '--output',
      out,
    ])

    const nodes: NodeMachineConfig[] = []
    for (const node of profile.nodes) {
      const patchPath = join(dir, `${node.hostname}.patch.yaml`)
      const installerImage = options.installerImages?.[node.hostname]
      const documents = nodePatches(profile, node, installerImage ? { installerImage } : {})
      await writeFile(patchPath, documents.map((document) => stringify(document)).join('---\n'))
      const configPath = join(dir, `${node.hostname}.yaml`)
      const base = join(out, node.role === 'control-plane' ? 'controlplane.yaml' : 'worker.yaml')
      await talosctl(context, [
        'machineconfig',
        'patch',
        base,
        '--patch',
        `@${patchPath}`,
        '--output',
        configPath,
      ])
      await talosctl(context, ['validate', '--config', configPath, '--mode', 'metal'])
      nodes.push({ hostname: node.hostname, role: node.role, config: await readFile(configPath, 'utf8') })
    }

    const talosconfigPath = join(out, 'talosconfig')
    const controlPlanes = profile.nodes
      .filter((node) => node.role === 'control-plane')
      .map((node) => node.address)
    await talosctl(context, ['--talosconfig', talosconfigPath, 'config', 'endpoint', ...controlPlanes])
    await talosctl(context, ['--talosconfig', talosconfigPath, 'config', 'node', controlPlanes[0]!])
    return { nodes, talosconfig: await readFile(talosconfigPath, 'utf8') }
  })
}
