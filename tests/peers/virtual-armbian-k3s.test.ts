// K3s on virtual Armbian nodes standing on the loopback cluster (loopbackBackends, as the virtual
// Talos nodes use it): the K3s steps' real actions install a server and an agent through the app's
// node shells; the server's k3s.yaml names everything "default" and reaches the loopback API,
// where both Nodes turn Ready; `k3s kubectl get nodes -o json` lists them for the app's parser;
// an agent restarted by an upgrade keeps its Node and cordon; an uninstalled agent leaves; the
// Join step itself fails while the server is stopped, with K3s's reason, and joins on a retry. Host names are unique per run: the loopback cluster is shared.
// Skipped, with the reason, where scripts/peers.sh could not build the peers.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { firstLoginActions } from '../../src-shared/k3s/first-login.ts'
import { k3sNodeInstall, parseK3sToken, readServerTokenCommand } from '../../src-shared/k3s/k3s-install.ts'
import { readKubeconfigCommand, rewriteK3sKubeconfig } from '../../src-shared/k3s/k3s-kubeconfig.ts'
import { getNodesCommand, nodesNotReady, parseK3sNodes } from '../support/k3s-node-list.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import { k3sSteps } from '../../src-main/k3s/k3s-steps.ts'
import { readNodeState, setCordoned } from '../../src-main/kube/kube-drain.ts'
import { listNodeReadiness } from '../../src-main/kube/kube-nodes.ts'
import { generateClusterKey } from '../../src-main/ssh/cluster-key.ts'
import type { NodeShell } from '../../src-main/ssh/node-shell.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { loopbackBackends } from '../../src-main/virtual-talos/loopback-backends.ts'
import { login } from '../integration/virtual-board-helpers.ts'
import {
  converge,
  flashArmbian,
  memoryHostKeys,
  memoryNodeShells,
  openShell,
  powerOnArmbian,
} from '../support/virtual-armbian.ts'
import { fakeStepContext } from '../support/fake-step-context.ts'
import { closeAll, startBoard } from '../support/virtual-bmc.ts'

const cluster = inject('loopbackCluster')
const skip = cluster.skip

describe.skipIf(skip !== undefined)(
  `K3s on virtual Armbian nodes on the loopback cluster${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const suffix = randomBytes(3).toString('hex')
    const serverName = `k3s-cp1-${suffix}`
    const agentName = `k3s-w1-${suffix}`
    const clusterKey = generateClusterKey('clusterdeck@lab')
    const shells = memoryNodeShells(memoryHostKeys())
    const opened: NodeShell[] = []
    let board: VirtualBoard
    let profile: ClusterProfile
    let server: NodeShell
    let agent: NodeShell
    let core: CoreV1Api
    /** Where each node answers SSH, as the cluster record keeps it. */
    const sshAt = new Map<string, { sshAddress: string; sshPort: number }>()

    beforeAll(async () => {
      const kubeConfig = new KubeConfig()
      kubeConfig.loadFromFile(cluster.kubeconfigPath)
      core = kubeConfig.makeApiClient(CoreV1Api)
      board = await startBoard({
        firmware: '2.1',
        talosBackends: await loopbackBackends({ kubeconfigPath: cluster.kubeconfigPath }),
      })
      const token = await login(board)
      const endpoints: { host: string; port: number }[] = []
      for (const index of [0, 1]) {
        await flashArmbian(board, token, index)
        endpoints.push(await powerOnArmbian(board, token, index))
      }
      const base = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' })
      profile = {
        ...base,
        nodes: base.nodes.slice(0, 2).map((node, i) => ({
          ...node,
          hostname: i === 0 ? serverName : agentName,
          address: endpoints[i]!.host,
        })),
      }
      for (const [i, endpoint] of endpoints.entries()) {
        sshAt.set(profile.nodes[i]!.hostname, { sshAddress: endpoint.host, sshPort: endpoint.port })
        const first = await openShell(shells, endpoint, {
          clusterKey: clusterKey.privateKey,
          password: '1234',
        })
        opened.push(first)
        await converge(
          first,
          firstLoginActions({ timezone: 'UTC', rootPassword: `pw-${suffix}` }, [clusterKey.publicKey]),
        )
        const root = await openShell(shells, endpoint, { clusterKey: clusterKey.privateKey })
        opened.push(root)
        if (i === 0) server = root
        else agent = root
      }
    })

    afterAll(async () => {
      for (const shell of opened) shell.close()
      await closeAll()
      for (const name of [serverName, agentName]) await core.deleteNode({ name }).catch(() => undefined)
    })

    it('a server and a joined agent register their Nodes, which turn Ready', async () => {
      expect(await converge(server, k3sNodeInstall(profile, serverName).actions)).toEqual(['k3s-install'])
      const joinToken = parseK3sToken((await server.run(readServerTokenCommand)).stdout)
      expect(await converge(agent, k3sNodeInstall(profile, agentName, { token: joinToken }).actions)).toEqual(
        ['k3s-token', 'k3s-install'],
      )

      // K3s writes its kubeconfig once its API serves, a moment after the unit starts.
      const kubeconfig = await vi.waitFor(
        async () => {
          const read = await server.run(readKubeconfigCommand)
          if (read.exitCode !== 0) throw new Error(read.stderr)
          return read.stdout
        },
        { timeout: 20_000, interval: 200 },
      )
      const document = parse(kubeconfig)
      expect(document['current-context']).toBe('default')
      expect(document.contexts).toEqual([
        { name: 'default', context: { cluster: 'default', user: 'default' } },
      ])
      expect(document.clusters[0].cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      // The app's own rewrite accepts what the node wrote.
      expect(
        rewriteK3sKubeconfig(document, { clusterName: 'lab', apiEndpoint: 'k8s.lab' })['current-context'],
      ).toBe('lab')
      await vi.waitFor(
        async () => {
          const nodes = await listNodeReadiness(kubeconfig)
          expect(nodes).toContainEqual({ name: serverName, ready: true, reason: '' })
          expect(nodes).toContainEqual({ name: agentName, ready: true, reason: '' })
        },
        { timeout: 60_000, interval: 500 },
      )
    })

    it('`k3s kubectl get nodes -o json` on the server lists its cluster’s nodes for the app’s parser', async () => {
      await vi.waitFor(
        async () => {
          const result = await server.run(getNodesCommand)
          expect(result.exitCode, result.stderr).toBe(0)
          const nodes = parseK3sNodes(result.stdout)
          // Only this cluster's: not the other nodes the shared loopback cluster holds.
          expect(nodes.map((n) => n.name).sort()).toEqual([agentName, serverName].sort())
          expect(nodes.find((n) => n.name === serverName)).toMatchObject({ controlPlane: true, ready: true })
          expect(nodes.find((n) => n.name === agentName)).toMatchObject({
            controlPlane: false,
            ready: true,
            version: 'v1.36.4+k3s1',
          })
          expect(nodesNotReady(nodes, [serverName, agentName])).toEqual({ missing: [], notReady: [] })
        },
        { timeout: 60_000, interval: 500 },
      )
      const node = await core.readNode({ name: agentName })
      expect(node.status?.addresses).toContainEqual({
        type: 'InternalIP',
        address: profile.nodes[1]!.address,
      })
      expect(node.status?.nodeInfo?.osImage).toBe('Armbian 25.8.1 trixie')
    })

    it('an agent restarted by an upgrade keeps its Node, cordon included, at its new release', async () => {
      const kubeconfig = readFileSync(cluster.kubeconfigPath, 'utf8')
      const { metadata } = await core.readNode({ name: agentName })
      expect(await setCordoned(kubeconfig, agentName, true)).toBe(true)
      // The upgrade's own actions: install.sh of the new release, then `systemctl restart --no-block`.
      const upgraded = { ...profile, versions: { ...profile.versions, k3s: 'v1.36.5+k3s1' } }
      const joinToken = parseK3sToken((await server.run(readServerTokenCommand)).stdout)
      expect(
        await converge(agent, k3sNodeInstall(upgraded, agentName, { token: joinToken }).actions),
      ).toEqual(['k3s-install'])
      await vi.waitFor(
        async () => {
          expect((await agent.run({ command: 'systemctl is-active k3s-agent' })).stdout).toBe('active\n')
          expect(await readNodeState(kubeconfig, agentName)).toMatchObject({
            kubeletVersion: 'v1.36.5+k3s1',
            unschedulable: true,
          })
        },
        { timeout: 30_000, interval: 300 },
      )
      // The same Node object, not one made anew.
      expect((await core.readNode({ name: agentName })).metadata?.uid).toBe(metadata?.uid)
    })

    it('an uninstalled agent leaves the cluster', async () => {
      expect((await agent.run({ command: 'k3s-agent-uninstall.sh' })).exitCode).toBe(0)
      await vi.waitFor(
        async () => {
          const names = parseK3sNodes((await server.run(getNodesCommand)).stdout).map((n) => n.name)
          expect(names).toEqual([serverName])
        },
        { timeout: 30_000, interval: 500 },
      )
      await expect(core.readNode({ name: agentName })).rejects.toMatchObject({ code: 404 })
    })

    it('the Join step fails naming the node and K3s’s reason while the server is stopped, and joins on a retry once it runs', async () => {
      const steps = k3sSteps({
        nodeShells: shells,
        boards: { get: async () => ({ address: board.url }) },
        sshEndpoints: { find: (_profile, hostname) => sshAt.get(hostname) ?? null, record: () => undefined },
        generateKey: generateClusterKey,
        pollMs: 100,
      })
      const sealed = {
        [sealedNames.sshKey]: clusterKey.privateKey,
        [sealedNames.k3sToken]: parseK3sToken((await server.run(readServerTokenCommand)).stdout),
      }
      const join = stepIds.k3sJoin(agentName)
      const joinStep = steps['k3s.install-agent']
      expect((await server.run({ command: 'systemctl stop k3s' })).exitCode).toBe(0)

      const refused = fakeStepContext(profile, join, 'k3s.install-agent', { sealed })
      expect(await joinStep.alreadyDone!(refused)).toBeNull()
      await expect(joinStep.run(refused)).rejects.toMatchObject({
        code: 'tool_failed',
        message: expect.stringMatching(
          new RegExp(
            `^K3s \\(k3s-agent\\) on ${agentName} could not join the cluster: the unit is failed \\(failed\\); its journal says: .*failed to get CA certs: .*https://${profile.nodes[0]!.address.replaceAll('.', '\\.')}:6443/cacerts.*connection refused`,
          ),
        ),
        hint: expect.stringContaining(`clusterdeck node exec lab ${agentName} -- journalctl -u k3s-agent`),
      })
      expect((await agent.run({ command: 'systemctl is-failed k3s-agent' })).stdout).toBe('failed\n')

      // The server runs again: the retry finds the install in place, starts the unit and waits for it.
      expect((await server.run({ command: 'systemctl start k3s' })).exitCode).toBe(0)
      const retry = fakeStepContext(profile, join, 'k3s.install-agent', { sealed })
      expect(await joinStep.alreadyDone!(retry)).toBeNull()
      expect(await joinStep.run(retry)).toMatchObject({
        message: `Already in place: K3s v1.36.4+k3s1 as an agent (k3s-agent) on ${agentName}`,
      })
      expect(retry.lines).toContain(`k3s-agent is active on ${agentName}`)
      await vi.waitFor(
        async () => {
          const names = parseK3sNodes((await server.run(getNodesCommand)).stdout).map((n) => n.name)
          expect(names.sort()).toEqual([agentName, serverName].sort())
        },
        { timeout: 30_000, interval: 500 },
      )
      // Joined: a run resumed now skips the step.
      expect(
        await joinStep.alreadyDone!(fakeStepContext(profile, join, 'k3s.install-agent', { sealed })),
      ).not.toBeNull()
    })
  },
)
