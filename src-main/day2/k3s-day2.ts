// Day 2 of a K3s cluster, over SSH with the cluster's key (docs/upgrades.md, docs/backups.md,
// docs/destroy.md): the same step kinds as for Talos, with the K3s way of doing each. An upgrade
// re-runs the install of the new release (same config.yaml) on a drained node and waits for its
// kubelet to report it; a snapshot is `k3s etcd-snapshot save` with embedded etcd, else a copy of
// the SQLite datastore, fetched over SSH; a reset drains the node, runs the uninstall script,
// removes what K3s leaves, optionally wipes the NVMe and the eMMC it boots from, and shuts the
// node down.
import { writeFile } from 'node:fs/promises'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { emmcRootDisk, emmcWipeCommands, rootDiskCommand } from '../../src-shared/k3s/boot-device.ts'
import { k3sNodeInstall, k3sOptions, k3sRoleOf } from '../../src-shared/k3s/k3s-install.ts'
import { shellQuote, type RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import type { ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import { runOrFail, withNodeShell } from '../k3s/k3s-step-support.ts'
import { drainNode, readNodeState, setCordoned } from '../kube/kube-drain.ts'
import type { StepContext, StepExecutor } from '../lifecycle/step-executor.ts'
import type { NodeShell } from '../ssh/node-shell.ts'
import { nodeOf, openIfSealed, openSealed, pollUntil } from '../talos/talos-step-support.ts'
import { k3sOf, slotPoweredOff, waitUpgraded, type Day2Dependencies } from './day2-support.ts'

export const k3sVersionCommand: RemoteCommand = { command: 'k3s --version 2>/dev/null | head -n 1' }
const k3sDbDir = '/var/lib/rancher/k3s/server/db'
export const k3sSnapshotDir = `${k3sDbDir}/snapshots`
export const k3sSqlitePath = `${k3sDbDir}/state.db`
/** What K3s leaves behind after its uninstall script, and what a destroy removes anyway. */
export const k3sDirectories = ['/etc/rancher', '/var/lib/rancher', '/var/lib/kubelet']
/** How long a drain may take before the step goes on with what is left (logged). */
const drainTimeoutMs = 120_000

/** "k3s version v1.33.4+k3s1 (abcdef01)" → "v1.33.4+k3s1"; null when K3s is not installed. */
export function parseK3sVersion(stdout: string): string | null {
  return /^k3s version (v\S+)/m.exec(stdout)?.[1] ?? null
}

/** Drains the node through the API, bounded; an unreachable API or a pod left is logged, not fatal. */
async function drain(context: StepContext, kubeconfig: string, hostname: string, pollMs: number) {
  try {
    const left = await drainNode(kubeconfig, hostname, {
      timeoutMs: drainTimeoutMs,
      pollMs,
      signal: context.signal,
      log: context.log,
    })
    if (left.length > 0)
      context.log(`Still on ${hostname} after ${drainTimeoutMs / 1000} s, going on: ${left.join(', ')}`)
  } catch (error) {
    context.log(`Could not drain ${hostname}, going on: ${(error as Error).message}`)
  }
}

export function k3sUpgradeStep(deps: Day2Dependencies): StepExecutor<'node.upgrade-os'> {
  const pollMs = deps.pollMs ?? 3000

  /** What still keeps the node from counting as upgraded, as the Kubernetes API sees it. */
  async function problems(context: StepContext, kubeconfig: string, hostname: string): Promise<string[]> {
    const { version } = context.step.params as { version: string }
    const state = await readNodeState(kubeconfig, hostname, context.signal).catch((error: unknown) => {
      return `the Kubernetes API: ${(error as Error).message}`
    })
    if (typeof state === 'string') return [state]
    if (!state) return [`${hostname} is not a Kubernetes node`]
    const found: string[] = []
    if (state.kubeletVersion !== version) found.push(`${hostname}’s kubelet reports ${state.kubeletVersion}`)
    if (!state.ready) found.push(`${hostname} is not Ready (${state.reason || 'no reason given'})`)
    return found
  }

  return {
    async alreadyDone(context) {
      const node = nodeOf(context, context.step.node!)
      const { version } = context.step.params
      const kubeconfig = await openSealed(context, sealedNames.kubeconfig, 'Export the kubeconfig')
      const running = await withNodeShell(k3sOf(deps, context), context, node, async (shell) =>
        parseK3sVersion((await shell.run(k3sVersionCommand)).stdout),
      )
      if (running !== version) return null
      const state = await readNodeState(kubeconfig, node.hostname, context.signal)
      return state?.unschedulable === false &&
        (await problems(context, kubeconfig, node.hostname)).length === 0
        ? { message: `${node.hostname} runs K3s ${version}, Ready` }
        : null
    },
    async run(context) {
      const node = nodeOf(context, context.step.node!)
      const { version } = context.step.params
      const kubeconfig = await openSealed(context, sealedNames.kubeconfig, 'Export the kubeconfig')
      const target = { ...context.profile, versions: { ...context.profile.versions, k3s: version } }
      const join =
        k3sRoleOf(context.profile, node) === 'first-server'
          ? undefined
          : { token: await openSealed(context, sealedNames.k3sToken, 'Install the K3s server') }
      const before = await withNodeShell(k3sOf(deps, context), context, node, async (shell) => {
        const running = parseK3sVersion(
          (await runOrFail(shell, node, k3sVersionCommand, 'Reading the K3s version')).stdout,
        )
        if (running === null)
          throw new AppError(
            'not_found',
            `K3s is not installed on ${node.hostname}, so it was not upgraded.`,
            'Deploy the profile again to install it (clusterdeck deploy PROFILE --resume).',
          )
        if (running === version) {
          // A run killed between install.sh and the restart leaves the new binary with the old
          // K3s still running: the kubelet says which one runs.
          const state = await readNodeState(kubeconfig, node.hostname, context.signal).catch(() => null)
          if (state?.kubeletVersion !== version) {
            const install = k3sNodeInstall(target, node.hostname, join)
            context.log(
              `${node.hostname} has K3s ${version} installed, but its kubelet reports ${state?.kubeletVersion || 'nothing'}: completing the install and restarting ${install.unit}`,
            )
            // An install cut short is finished (its check fails); a complete one only needs the restart.
            let changed = false
            for (const action of install.actions)
              changed = (await shell.converge(action)) === 'done' || changed
            if (!changed)
              await runOrFail(
                shell,
                node,
                { command: `systemctl restart --no-block ${install.unit}` },
                'Restarting K3s',
              )
          } else context.log(`${node.hostname} already runs K3s ${version}: waiting until it is Ready`)
          return running
        }
        context.log(`${node.hostname} runs K3s ${running}: draining it, then installing ${version}`)
        await drain(context, kubeconfig, node.hostname, pollMs)
        // The install of the new release with the same config.yaml; install.sh restarts nothing
        // (INSTALL_K3S_SKIP_START), the action's own restart does.
        const install = k3sNodeInstall(target, node.hostname, join)
        for (const action of install.actions) await shell.converge(action)
        return running
      })
      await waitUpgraded(context, pollMs, `K3s ${version}`, () =>
        problems(context, kubeconfig, node.hostname),
      )
      await setCordoned(kubeconfig, node.hostname, false, context.signal)
      context.log(`Uncordoned ${node.hostname}`)
      return {
        message:
          before === version
            ? `${node.hostname} runs K3s ${version}; Ready and schedulable`
            : `${node.hostname} moved from K3s ${before} to ${version}; Ready and schedulable`,
        output: { from: before, to: version },
      }
    },
  }
}

/**
 * Takes the K3s datastore's snapshot on `node` and writes it to `path` here: with embedded etcd
 * (cluster-init) `k3s etcd-snapshot save`, else a copy of the SQLite file. The bytes travel as
 * base64 on stdout marked secret — a snapshot holds every secret of the cluster.
 */
export async function takeK3sSnapshot(
  deps: Day2Dependencies,
  context: StepContext,
  node: ProfileNode,
  path: string,
): Promise<{ source: string }> {
  const embedded = k3sOptions(context.profile, node, k3sRoleOf(context.profile, node)).some(
    ([key, value]) => key === 'cluster-init' && value === true,
  )
  return withNodeShell(k3sOf(deps, context), context, node, async (shell) => {
    let file = k3sSqlitePath
    if (embedded) {
      const name = `clusterdeck-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`.toLowerCase()
      await runOrFail(
        shell,
        node,
        { command: `k3s etcd-snapshot save --name ${name}` },
        'Taking the etcd snapshot',
      )
      const listed = await runOrFail(
        shell,
        node,
        { command: `ls -1t ${k3sSnapshotDir}/${name}* | head -n 1` },
        'Finding the snapshot file',
      )
      file = listed.stdout.trim()
    }
    const read = await runOrFail(
      shell,
      node,
      { command: `base64 ${shellQuote(file)}`, secretStdout: true },
      `Reading ${file}`,
    )
    await writeFile(path, Buffer.from(read.stdout.replace(/\s+/g, ''), 'base64'), { mode: 0o600 })
    return { source: embedded ? `k3s etcd-snapshot ${file}` : `the SQLite datastore ${file}` }
  })
}

/** The shell commands that take K3s off a node (docs/destroy.md): script, directories, NVMe. */
export function k3sRemovalCommands(node: ProfileNode, userDisks: string[]): RemoteCommand[] {
  const scripts = ['/usr/local/bin/k3s-agent-uninstall.sh', '/usr/local/bin/k3s-uninstall.sh']
  const commands: RemoteCommand[] = [
    {
      // Whichever the node has; neither is there when a run already removed K3s.
      command: scripts.map((s) => `if [ -x ${s} ]; then ${s}; fi`).join(' && '),
    },
    { command: `rm -rf ${k3sDirectories.join(' ')}` },
  ]
  const nvme = node.nvme
  for (const disk of userDisks) {
    if (nvme && nvme.device === disk) {
      const mount = shellQuote(nvme.mountPoint)
      commands.push(
        { command: `if findmnt ${mount} >/dev/null 2>&1; then umount ${mount}; fi` },
        // The fstab entry goes too, or the next boot waits for a file system that is gone.
        {
          command: `awk '$2 != "${nvme.mountPoint}"' /etc/fstab > /etc/fstab.clusterdeck-new && mv -f /etc/fstab.clusterdeck-new /etc/fstab`,
        },
      )
    }
    commands.push({ command: `wipefs -a ${shellQuote(disk)}` })
  }
  return commands
}

export function k3sResetStep(deps: Day2Dependencies): StepExecutor<'node.reset'> {
  const pollMs = deps.pollMs ?? 3000
  return {
    async alreadyDone(context) {
      const { board, slot } = context.step.params
      return (await slotPoweredOff(deps, board, slot))
        ? { message: `${context.step.node} is powered off (${board} slot ${slot})` }
        : null
    },
    async run(context) {
      const { params } = context.step
      const node = nodeOf(context, context.step.node!)
      const kubeconfig = await openIfSealed(context.sealed, sealedNames.kubeconfig)
      let emmc: string | undefined
      await withNodeShell(k3sOf(deps, context), context, node, async (shell: NodeShell) => {
        // The boot device is checked before anything is removed: a node that does not boot from
        // its eMMC is refused with K3s still on it.
        const bootDisk = params.bootDevice
          ? emmcRootDisk(
              (await runOrFail(shell, node, rootDiskCommand, 'Finding the boot device')).stdout,
              node.hostname,
            )
          : undefined
        if (bootDisk) {
          emmc = bootDisk.name
          context.log(`${node.hostname} boots from the eMMC ${emmc}: it is wiped after K3s`)
        }
        if (kubeconfig) await drain(context, kubeconfig, node.hostname, pollMs)
        for (const command of k3sRemovalCommands(node, params.userDisks))
          await runOrFail(shell, node, command, 'Removing K3s')
        const eMmcWipe = bootDisk && emmcWipeCommands(bootDisk)
        for (const command of eMmcWipe?.wipe ?? [])
          await runOrFail(shell, node, command, `Wiping the eMMC ${emmc}`)
        // The connection drops as the node goes down: no answer is expected.
        const down = eMmcWipe?.powerOff ?? { command: 'shutdown -h now' }
        await shell.run(down, { timeoutMs: 10_000 }).catch((error: unknown) => {
          context.log(`${down.command}: the connection dropped (${(error as Error).message}), as expected`)
        })
      })
      const off = await pollUntil(context, pollMs, 60_000, async () =>
        (await slotPoweredOff(deps, params.board, params.slot)) ? true : null,
      )
      context.log(
        off
          ? `The BMC reports ${params.board} slot ${params.slot} off`
          : `${node.hostname} is still on per the BMC: the power-off step turns it off`,
      )
      const wiped = [
        'K3s',
        ...params.userDisks.map((disk) => `NVMe ${disk}`),
        ...(emmc ? [`eMMC ${emmc}`] : []),
      ]
      return {
        message: `Removed ${wiped.join(', ')} from ${node.hostname} and ${emmc ? 'powered it off' : 'shut it down'}`,
        output: { wiped, graceful: true, ...(emmc ? { bootDevice: emmc } : {}) },
      }
    },
  }
}
