// "Prepare <node>" (docs/k3s-bootstrap.md): the first SSH login of a freshly flashed Armbian node
// when the cluster's key does not get in yet (as root with the image's password 1234), then the
// cluster's and the user's keys, time zone and root password, the node's host name, packages,
// kernel modules and iscsid, and its NVMe drive for Longhorn — a drive holding data only after the
// user typed the confirmation phrase. Every part is checked before it is done, so a resumed run
// redoes nothing; the step is skipped when every check passes.
import { randomBytes } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import {
  armbianFirstBootPassword,
  firstLoginActions,
  firstLoginDoneCheck,
  loginUserActions,
} from '../../src-shared/k3s/first-login.ts'
import { nodePrepActions } from '../../src-shared/k3s/k3s-node-prep.ts'
import {
  confirmationPhrase,
  fstabPath,
  lsblkCommand,
  parseLsblk,
  planNvme,
  type NvmePlan,
} from '../../src-shared/k3s/nvme-disk.ts'
import type { NodeAction } from '../../src-shared/k3s/remote-command.ts'
import { nodeAccessOf, type ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import type { StepContext, StepExecutor, StepResult } from '../lifecycle/step-executor.ts'
import { publicKeyOf } from '../ssh/cluster-key.ts'
import type { NodeShell } from '../ssh/node-shell.ts'
import { nodeOf, openIfSealed, pollUntil } from '../talos/talos-step-support.ts'
import {
  allInPlace,
  clusterKeyComment,
  convergeAll,
  openNodeShell,
  runOrFail,
  sshEndpointOf,
  type K3sStepDependencies,
} from './k3s-step-support.ts'

type Context = StepContext<'k3s.prepare-node'>

/** How many times the NVMe drive is looked at anew: format, then mount, then done. */
const nvmeStages = 4

export function k3sPrepareStep(deps: K3sStepDependencies): StepExecutor<'k3s.prepare-node'> {
  // The nodes are prepared at the same time, and the cluster's key and root password are made
  // once: the first step to need one makes it, the others wait for that and take it.
  const making = new Map<string, Promise<string>>()
  const once = (context: Context, name: string, make: () => Promise<string>): Promise<string> => {
    const key = `${context.runId} ${name}`
    const pending = making.get(key) ?? make().finally(() => making.delete(key))
    making.set(key, pending)
    return pending
  }
  return {
    async alreadyDone(context) {
      const privateKey = await openIfSealed(context.sealed, sealedNames.sshKey)
      if (privateKey === null) return null
      const node = nodeOf(context, context.step.node!)
      const userPassword = await loginUserPassword(deps, context)
      const shell = await keyShell(deps, context, node, privateKey)
      if (!shell) return null
      try {
        if ((await shell.run(firstLoginDoneCheck)).exitCode !== 0) return null
        if (
          !(await allInPlace(
            shell,
            actionsFor(context, node, publicKeyOf(privateKey, clusterKeyComment(context.profile)), {
              userPassword,
            }),
          ))
        )
          return null
        const nvme = node.nvme ? await planDrive(shell, context, node) : null
        if (nvme && nvme.kind !== 'done') return null
        return reached(deps, context, node, {
          message: `${node.hostname} is prepared: the cluster’s key logs in, host name, packages, modules and iscsid are in place${nvme?.kind === 'done' ? `, and ${node.nvme!.device} is mounted at ${node.nvme!.mountPoint}` : ''}`,
          ...(nvme?.kind === 'done' ? { nvmeUuid: nvme.uuid } : {}),
        })
      } finally {
        shell.close()
      }
    },

    async run(context) {
      const node = nodeOf(context, context.step.node!)
      const userPassword = await loginUserPassword(deps, context)
      const privateKey = await once(context, sealedNames.sshKey, () => clusterKey(deps, context))
      const publicKey = publicKeyOf(privateKey, clusterKeyComment(context.profile))
      const shell =
        (await keyShell(deps, context, node, privateKey)) ??
        (await firstLogin(deps, context, node, privateKey))
      try {
        // Recorded as soon as the node is reached, so `clusterdeck node exec` finds it from now on.
        const endpoint = sshEndpointOf(deps, context, node)
        deps.sshEndpoints.record(context.profile, node, { sshAddress: endpoint.host, sshPort: endpoint.port })
        const firstLoginOver = (await shell.run(firstLoginDoneCheck)).exitCode === 0
        const rootPassword = firstLoginOver
          ? undefined
          : await once(context, sealedNames.rootPassword, () => rootPasswordFor(deps, context))
        const changed = await convergeAll(
          shell,
          actionsFor(context, node, publicKey, { rootPassword, userPassword }),
        )
        const nvmeUuid = node.nvme ? await prepareDrive(shell, context, node) : null
        return reached(deps, context, node, {
          message: `Prepared ${node.hostname}${changed.length ? `: ${changed.join('; ')}` : ''}${nvmeUuid ? `; ${node.nvme!.device} mounted at ${node.nvme!.mountPoint}` : ''}`,
          ...(nvmeUuid ? { nvmeUuid } : {}),
        })
      } finally {
        shell.close()
      }
    },
  }
}

function reached(
  deps: K3sStepDependencies,
  context: Context,
  node: ProfileNode,
  { message, ...extra }: { message: string; nvmeUuid?: string },
): StepResult {
  const endpoint = sshEndpointOf(deps, context, node)
  return { message, output: { sshAddress: endpoint.host, sshPort: endpoint.port, ...extra } }
}

/**
 * The first login's keys, time zone (and root password), the login user when it is not root,
 * then the node's own preparation.
 */
function actionsFor(
  context: Context,
  node: ProfileNode,
  publicKey: string,
  { rootPassword, userPassword }: { rootPassword?: string | undefined; userPassword: string | null },
): NodeAction[] {
  const access = nodeAccessOf(context.profile)
  const keys = [publicKey, ...access.authorizedKeys]
  return [
    ...firstLoginActions({ timezone: access.timezone, rootPassword }, keys),
    ...(userPassword === null ? [] : loginUserActions(access.user, userPassword, keys)),
    ...nodePrepActions(node),
  ]
}

/**
 * A login user other than root gets the password saved in the keychain for the profile, which
 * sudo then asks for; without one the step stops before touching a node. Null for root.
 */
async function loginUserPassword(deps: K3sStepDependencies, context: Context): Promise<string | null> {
  const { user } = nodeAccessOf(context.profile)
  if (user === 'root') return null
  const password = (await deps.nodePassword?.(context.profile.name)) ?? null
  if (password === null)
    throw new AppError(
      'invalid_input',
      `The profile logs in to its nodes as ${user}, who runs the steps' commands through sudo, and no password is saved for it.`,
      `Save it first (clusterdeck node password ${context.profile.name}); the first login gives ${user} that password.`,
    )
  context.secret(password)
  return password
}

/** The cluster's key, made and sealed by the first node's preparation and kept from then on. */
async function clusterKey(deps: K3sStepDependencies, context: Context): Promise<string> {
  const sealed = await openIfSealed(context.sealed, sealedNames.sshKey)
  if (sealed !== null) return sealed
  const key = deps.generateKey(clusterKeyComment(context.profile))
  await context.sealed.seal(sealedNames.sshKey, key.privateKey)
  context.log(
    `Made the cluster’s SSH key and sealed it; its public key (${key.fingerprint}): ${key.publicKey}`,
  )
  return key.privateKey
}

/**
 * A shell opened with the cluster's key, or null when the node does not take the key (yet). sshd
 * may answer a little after the login prompt the boot wait saw (a first boot makes its host keys
 * first), so a node that does not answer is asked again until the profile's boot timeout.
 */
async function keyShell(
  deps: K3sStepDependencies,
  context: Context,
  node: ProfileNode,
  privateKey: string,
): Promise<NodeShell | null> {
  let unreachable: AppError | undefined
  const timeoutMs = context.profile.timeouts.bootSeconds * 1000
  const outcome = await pollUntil(context, deps.pollMs ?? 3000, timeoutMs, async () => {
    try {
      return await openNodeShell(deps, context, { node, clusterKey: privateKey })
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      if (error.code === 'ssh_auth_failed') return 'refused' as const
      if (error.code !== 'ssh_unreachable') throw error
      unreachable = error
      context.log(`${node.hostname} does not answer SSH yet: ${error.message}`)
      return null
    }
  })
  if (outcome === null) throw unreachable!
  return outcome === 'refused' ? null : outcome
}

/** Logs in as root with the image's first-boot password: only a node never logged into takes it. */
async function firstLogin(
  deps: K3sStepDependencies,
  context: Context,
  node: ProfileNode,
  privateKey: string,
): Promise<NodeShell> {
  context.log(
    `${node.hostname} does not take the cluster’s key yet: first login as root with the image’s password`,
  )
  try {
    return await openNodeShell(deps, context, {
      node,
      clusterKey: privateKey,
      password: armbianFirstBootPassword,
      user: 'root',
    })
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'ssh_auth_failed') throw error
    throw new AppError(
      'ssh_auth_failed',
      `${node.hostname} takes neither the cluster’s SSH key nor the image’s first-boot password for root: someone logged in to it before and changed the password.`,
      'Add the cluster’s public key (in the log of the Prepare step that made it) to its /root/.ssh/authorized_keys at the console, or flash the node again, then retry the step.',
    )
  }
}

/**
 * The root password the first login sets: the one the user saved for the profile, else one made
 * once for the cluster and sealed (shown on request, never logged).
 */
async function rootPasswordFor(deps: K3sStepDependencies, context: Context): Promise<string> {
  const saved = (await deps.nodePassword?.(context.profile.name)) ?? null
  if (saved !== null) {
    context.secret(saved)
    return saved
  }
  const sealed = await openIfSealed(context.sealed, sealedNames.rootPassword)
  if (sealed !== null) return sealed
  const made = randomBytes(18).toString('base64url')
  await context.sealed.seal(sealedNames.rootPassword, made)
  context.log('Made a root password for the nodes and sealed it with the cluster')
  return made
}

/** What the drive needs now, from what lsblk and /etc/fstab say on the node. */
async function planDrive(shell: NodeShell, context: Context, node: ProfileNode): Promise<NvmePlan> {
  const { device, mountPoint } = node.nvme!
  const listed = await runOrFail(shell, node, lsblkCommand(device), `Reading ${device}`)
  const fstab = await runOrFail(shell, node, { command: `cat ${fstabPath}` }, `Reading ${fstabPath}`)
  const phrase = confirmationPhrase(node.hostname, device)
  return planNvme({
    hostname: node.hostname,
    device,
    mountPoint,
    disk: parseLsblk(listed.stdout, device),
    fstab: fstab.stdout,
    confirmation: context.confirmations.find((typed) => typed.trim() === phrase),
  })
}

/** Takes the drive one stage at a time, reading it again after each; returns its file system's UUID. */
async function prepareDrive(shell: NodeShell, context: Context, node: ProfileNode): Promise<string> {
  const { device, mountPoint } = node.nvme!
  for (let stage = 0; stage < nvmeStages; stage += 1) {
    const plan = await planDrive(shell, context, node)
    if (plan.kind === 'done') return plan.uuid
    if (plan.kind === 'needs-confirmation') {
      throw new AppError(
        'confirmation_required',
        `${device} on ${node.hostname} holds data (${plan.holds.join('; ') || 'a partition table'}): it is erased only after you type “${plan.phrase}”.`,
        'Type the phrase in the failed step and retry it (CLI: --resume --confirm with the phrase), or name another drive in the profile.',
        { phrase: plan.phrase },
      )
    }
    context.log(
      plan.kind === 'format'
        ? `Partitioning ${device} and making an ext4 file system on it`
        : `Mounting ${device}’s file system at ${mountPoint} by UUID (/etc/fstab)`,
    )
    for (const command of plan.commands) await runOrFail(shell, node, command, `Preparing ${device}`)
  }
  throw new AppError(
    'internal',
    `${device} on ${node.hostname} did not reach its wanted state after ${nvmeStages} stages.`,
    'Look at lsblk on the node; retry the step.',
  )
}
