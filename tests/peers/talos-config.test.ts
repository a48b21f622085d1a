// Talos secrets and machine configs made by the real talosctl (built from its Go module by
// scripts/peers.sh), found through the tools manager as a binary on PATH whose version fits the
// profile: gen secrets, gen config with the profile's per-node patches, validate --mode metal.
// Skipped, with the reason, where the peer is not built.
import { dirname, join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { SettingsStore } from '../../src-main/store/settings-store.ts'
import { generateConfigs, generateSecrets } from '../../src-main/talos/talos-config.ts'
import { pinnedTools } from '../../src-main/tools/tool-manifest.ts'
import { ToolsService } from '../../src-main/tools/tools-service.ts'
import { findPeers } from '../support/peers.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const peers = findPeers(['talosctl'])
// The Talos version of the talosctl the peers script could build (docs/test-peers.md), so that the
// tools manager finds it fitting.
const talosVersion = 'v1.12.0'
const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const profile = { ...template, versions: { ...template.versions, talos: talosVersion } }
const installer = `factory.talos.dev/metal-installer/85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae:${talosVersion}`

describe.skipIf(!peers.ok)(
  `Talos configs with the real talosctl${peers.ok ? '' : ` (skipped: ${peers.reason})`}`,
  () => {
    let dir: ReturnType<typeof makeTempDir>
    let db: Db
    let tools: ToolsService
    let talosctl: string
    const log: string[] = []

    beforeAll(async () => {
      dir = makeTempDir()
      db = openDatabase(join(dir.path, 'data'))
      const binaries = peers.ok ? peers.binaries : ({} as Record<string, string>)
      tools = new ToolsService({
        dataDir: join(dir.path, 'data'),
        settings: new SettingsStore(db),
        events: new EventBus(),
        manifest: pinnedTools,
        searchPath: dirname(binaries.talosctl!),
      })
      const resolved = await tools.resolve('talosctl', profile.versions.talos)
      expect(resolved.source).toBe('path')
      talosctl = resolved.path
    })
    afterAll(async () => {
      await tools?.close()
      db?.close()
      dir?.remove()
    })

    it('generates a secrets bundle with the cluster’s CAs', async () => {
      const secrets = parse(
        await generateSecrets({ talosctl, log: (line) => log.push(line) }, talosVersion),
      ) as {
        certs: Record<string, { crt?: string; key: string }>
      }
      expect(Object.keys(secrets.certs).sort()).toEqual([
        'etcd',
        'k8s',
        'k8saggregator',
        'k8sserviceaccount',
        'os',
      ])
      expect(secrets.certs.os!.key).toMatch(/^[A-Za-z0-9+/=]+$/)
    })

    it('generates one validated machine config per node from the profile, and a talosconfig for the control planes', async () => {
      const secretsYaml = await generateSecrets({ talosctl }, talosVersion)
      const set = await generateConfigs(
        { talosctl, log: (line) => log.push(line) },
        { profile, secretsYaml, installerImages: { 'turing-cp1': installer } },
      )
      expect(set.nodes.map((node) => [node.hostname, node.role])).toEqual([
        ['turing-cp1', 'control-plane'],
        ['turing-w1', 'worker'],
        ['turing-w2', 'worker'],
        ['turing-w3', 'worker'],
      ])
      const documents = parseAllDocuments(set.nodes[0]!.config).map(
        (document) => document.toJS() as Record<string, unknown>,
      )
      const main = documents.find((document) => document.machine) as {
        machine: {
          type: string
          network: { interfaces: { addresses: string[] }[] }
          install: { disk: string; image: string }
          ca: { crt: string }
        }
        cluster: { controlPlane: { endpoint: string }; network: { podSubnets: string[] } }
      }
      const ofKind = (kind: string) => documents.find((document) => document.kind === kind)
      expect(main.machine.type).toBe('controlplane')
      expect(ofKind('HostnameConfig')).toMatchObject({ hostname: 'turing-cp1', auto: 'off' })
      expect(main.machine.network.interfaces[0]!.addresses).toEqual(['10.10.88.73/24'])
      expect(main.machine.install).toMatchObject({ disk: '/dev/mmcblk0', image: installer })
      expect(main.cluster.controlPlane.endpoint).toBe('https://10.10.88.73:6443')
      expect(main.cluster.network.podSubnets).toEqual(['10.244.0.0/16'])
      expect(ofKind('UserVolumeConfig')).toMatchObject({ name: 'longhorn' })
      // The OS CA of the bundle signs the node's API: the same CA in every node's config.
      const secrets = parse(secretsYaml) as { certs: { os: { crt: string } } }
      expect(main.machine.ca.crt).toBe(secrets.certs.os.crt)

      const talosconfig = parse(set.talosconfig) as {
        contexts: Record<string, { endpoints: string[]; nodes: string[] }>
      }
      expect(talosconfig.contexts.lab).toMatchObject({ endpoints: ['10.10.88.73'], nodes: ['10.10.88.73'] })
      // What the step log got: the commands and talosctl's own words, never a key.
      expect(log.some((line) => line.startsWith('talosctl validate'))).toBe(true)
      expect(log.join('\n')).not.toContain(secrets.certs.os.crt)
    })

    it('names talosctl and its complaint when a config does not validate', async () => {
      const secretsYaml = await generateSecrets({ talosctl }, talosVersion)
      // An address no profile validation would let through, to see talosctl's own refusal named.
      const broken = {
        ...profile,
        nodes: profile.nodes.map((node) => ({ ...node, address: '10.10.88.999' })),
      }
      const error = await generateConfigs({ talosctl }, { profile: broken, secretsYaml }).then(
        () => null,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('tool_failed')
      expect((error as AppError).message).toMatch(/^talosctl validate/)
      expect((error as AppError).message).toContain('invalid CIDR address: 10.10.88.999/24')
    })
  },
)
