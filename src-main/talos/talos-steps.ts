// The Talos bootstrap phase as lifecycle steps (docs/talos-bootstrap.md): generate the cluster's
// secrets once and its machine configs, apply each node's config (in maintenance mode, or over
// mutual TLS to a node configured otherwise), bootstrap etcd on the first control plane exactly
// once, and export the kubeconfig and the final talosconfig. Everything generated is sealed with
// the cluster; step outputs hold only addresses and hashes.
import { parseDocument } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { imageKey } from '../../src-shared/lifecycle/compile-plan.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import { installerImageOf } from '../../src-shared/talos/factory-urls.ts'
import type { StepContext, StepExecutor } from '../lifecycle/step-executor.ts'
import { generateConfigs, generateSecrets } from './talos-config.ts'
import {
  answersInMaintenance,
  applyConfig,
  bootstrapEtcd,
  configuredVersion,
  fetchKubeconfig,
} from './talos-node.ts'
import {
  addressesOf,
  controlPlanesFirst,
  nodeOf,
  openIfSealed,
  openSealed,
  pollUntil,
  resolveTalosctl,
  sha256,
  talosctlFor,
  type TalosStepDependencies,
} from './talos-step-support.ts'
import { registerYamlSecrets } from './talosctl-runner.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'

type TalosStepKind =
  | 'talos.generate-secrets'
  | 'talos.generate-configs'
  | 'talos.apply-config'
  | 'talos.bootstrap'
  | 'talos.export-configs'

export function talosSteps(deps: TalosStepDependencies): { [K in TalosStepKind]: StepExecutor<K> } {
  return {
    'talos.generate-secrets': generateSecretsStep(deps),
    'talos.generate-configs': generateConfigsStep(deps),
    'talos.apply-config': applyConfigStep(deps),
    'talos.bootstrap': bootstrapStep(deps),
    'talos.export-configs': exportConfigsStep(deps),
  }
}

/** The cluster's identity, made once: a later run keeps the sealed bundle. */
function generateSecretsStep(deps: TalosStepDependencies): StepExecutor<'talos.generate-secrets'> {
  return {
    async alreadyDone(context) {
      const sealed = await openIfSealed(context.sealed, sealedNames.talosSecrets)
      if (sealed === null) return null
      registerYamlSecrets(sealed, context.secret)
      return { message: 'the cluster’s secrets bundle is sealed' }
    },
    async run(context) {
      const bundle = await generateSecrets(
        await resolveTalosctl(deps, context),
        context.profile.versions.talos!,
      )
      registerYamlSecrets(bundle, context.secret)
      await context.sealed.seal(sealedNames.talosSecrets, bundle)
      return { message: 'Generated the cluster’s secrets bundle and sealed it' }
    },
  }
}

/**
 * Made again on every run, so a changed profile reaches the nodes: `gen config` is deterministic for
 * a secrets bundle, so unchanged configs keep their hashes and the apply steps skip their nodes.
 * The talosconfig is kept once sealed (each generation issues a new client certificate).
 */
function generateConfigsStep(deps: TalosStepDependencies): StepExecutor<'talos.generate-configs'> {
  return {
    async run(context) {
      const secretsYaml = await openSealed(context, sealedNames.talosSecrets, 'Generate the cluster secrets')
      const set = await generateConfigs(await resolveTalosctl(deps, context), {
        profile: context.profile,
        secretsYaml,
        installerImages: installerImages(deps, context),
      }).catch((error: unknown) => {
        if (error instanceof AppError && /^talosctl validate/.test(error.message)) {
          throw new AppError(
            'invalid_input',
            `A machine config made from the profile does not validate, so nothing was applied: ${error.message}`,
            'Correct the profile (addresses, disks, versions) and run the deploy again.',
          )
        }
        throw error
      })
      registerYamlSecrets(set.talosconfig, context.secret)
      const hashes: Record<string, string> = {}
      for (const node of set.nodes) {
        await context.sealed.seal(sealedNames.machineConfig(node.hostname), node.config)
        hashes[node.hostname] = sha256(node.config)
      }
      if ((await openIfSealed(context.sealed, sealedNames.talosconfig)) === null) {
        await context.sealed.seal(sealedNames.talosconfig, set.talosconfig)
      }
      return {
        message: `Generated and validated ${set.nodes.length} machine configs (talosctl validate --mode metal)`,
        output: { configSha256: hashes },
      }
    },
  }
}

/**
 * Each node's installer: the one of the factory schematic its image came from, so that the node
 * installs and upgrades with the same overlay and extensions; talosctl's default otherwise.
 */
function installerImages(deps: TalosStepDependencies, context: StepContext): Record<string, string> {
  const installers: Record<string, string> = {}
  for (const node of context.profile.nodes) {
    const prepared = context.outputOf(stepIds.imagePrepare(imageKey(node.image ?? context.profile.image)))
    const url = typeof prepared?.sha256 === 'string' ? deps.imageSourceUrl(prepared.sha256) : null
    const installer = url ? installerImageOf(url) : null
    if (installer) installers[node.hostname] = installer
  }
  return installers
}

function applyConfigStep(deps: TalosStepDependencies): StepExecutor<'talos.apply-config'> {
  const pollMs = deps.pollMs ?? 3000
  const prepare = async (context: Parameters<StepExecutor<'talos.apply-config'>['run']>[0]) => {
    const node = nodeOf(context, context.step.node!)
    const config = await openSealed(
      context,
      sealedNames.machineConfig(node.hostname),
      'Generate machine configs',
    )
    const talosconfig = await openSealed(context, sealedNames.talosconfig, 'Generate machine configs')
    return {
      node,
      config,
      talosconfig,
      configSha256: sha256(config),
      addresses: await addressesOf(deps, context, node),
      talosctl: await talosctlFor(deps, context),
    }
  }
  return {
    // A node that accepts the cluster's credentials and was last given this very config is done.
    async alreadyDone(context) {
      const { node, talosconfig, configSha256, addresses, talosctl } = await prepare(context)
      if (deps.appliedConfigs.sha256Of(context.profile.name, node.hostname) !== configSha256) return null
      const version = await configuredVersion(talosctl, addresses.configured, talosconfig)
      if (version === null) return null
      return {
        message: `${node.hostname} runs Talos ${version} at ${addresses.configured} with this config (sha256 ${configSha256.slice(0, 12)}…)`,
        output: { apiAddress: addresses.configured, configSha256 },
      }
    },
    async run(context) {
      const { node, config, talosconfig, configSha256, addresses, talosctl } = await prepare(context)
      const { maintenance, configured } = addresses
      if (await answersInMaintenance(talosctl, maintenance)) {
        context.log(
          `${node.hostname} is in maintenance mode at ${maintenance}: applying its ${node.role} config`,
        )
        await applyConfig(talosctl, maintenance, config, { insecure: true })
      } else if ((await configuredVersion(talosctl, configured, talosconfig)) !== null) {
        context.log(
          `${node.hostname} is configured (at ${configured}) but not with this config: applying it over mutual TLS`,
        )
        await applyConfig(talosctl, configured, config, { talosconfig })
      } else {
        throw new AppError(
          'network_unreachable',
          `${node.hostname} answers neither in maintenance mode at ${maintenance}:50000 nor with the cluster’s credentials at ${configured}:50000.`,
          'Look at its serial console on the board view. A node configured by another cluster must be reset (or flashed again) first.',
        )
      }
      // Recorded before the wait: a run stopped while the node reboots finds it done on resume.
      deps.appliedConfigs.record(context.profile, node, { apiAddress: configured, configSha256 })
      const timeoutMs = context.profile.timeouts.bootSeconds * 1000
      const version = await pollUntil(context, pollMs, timeoutMs, () =>
        configuredVersion(talosctl, configured, talosconfig),
      )
      if (version === null) {
        throw new AppError(
          'timeout',
          `${node.hostname} took its config but did not answer with the cluster’s credentials at ${configured}:50000 within ${timeoutMs / 1000} s.`,
          `Look at its serial console: it may be installing or rebooting still${configured === maintenance ? '' : `, or it did not take the address ${configured}`}. Retry the step to wait again.`,
        )
      }
      return {
        message: `Applied the ${node.role} config to ${node.hostname}; it runs Talos ${version} at ${configured}`,
        output: { apiAddress: configured, configSha256 },
      }
    },
  }
}

/** Exactly once per cluster: a node that refuses a second bootstrap is already bootstrapped. */
function bootstrapStep(deps: TalosStepDependencies): StepExecutor<'talos.bootstrap'> {
  const pollMs = deps.pollMs ?? 3000
  return {
    async run(context) {
      const first = context.profile.nodes.find(
        (node) => node.role === 'control-plane' && node.address === context.step.params.address,
      )
      if (!first)
        throw new AppError('internal', `No control plane of the profile has ${context.step.params.address}.`)
      const { configured } = await addressesOf(deps, context, first)
      const talosconfig = await openSealed(context, sealedNames.talosconfig, 'Generate machine configs')
      const talosctl = await talosctlFor(deps, context)
      const timeoutMs = context.profile.timeouts.bootSeconds * 1000
      let lastAnswer = ''
      const outcome = await pollUntil(context, pollMs, timeoutMs, async () => {
        const answer = await bootstrapEtcd(talosctl, configured, talosconfig, context.step.params.recoverFrom)
        if (typeof answer === 'string') return answer
        lastAnswer = answer.notYet
        context.log(`${first.hostname} cannot be bootstrapped yet: ${answer.notYet}`)
        return null
      })
      if (outcome === null) {
        throw new AppError(
          'timeout',
          `${first.hostname} did not accept the bootstrap within ${timeoutMs / 1000} s; its last answer: ${lastAnswer}.`,
          'Look at its serial console and `talosctl dmesg`; retry the step to try again.',
        )
      }
      return {
        message:
          outcome === 'bootstrapped'
            ? context.step.params.recoverFrom
              ? `Bootstrapped etcd on ${first.hostname} (${configured}), recovered from ${context.step.params.recoverFrom}`
              : `Bootstrapped etcd on ${first.hostname} (${configured})`
            : `${first.hostname} was bootstrapped before: it refused a second bootstrap, as it should`,
        output: { node: first.hostname, apiAddress: configured },
      }
    },
  }
}

/** The kubeconfig once the API hands it out, and the talosconfig aimed at the nodes' real addresses. */
function exportConfigsStep(deps: TalosStepDependencies): StepExecutor<'talos.export-configs'> {
  const pollMs = deps.pollMs ?? 3000
  return {
    async run(context) {
      const nodes = controlPlanesFirst(context.profile.nodes)
      const addresses = await Promise.all(
        nodes.map(async (node) => (await addressesOf(deps, context, node)).configured),
      )
      const endpoints = addresses.slice(0, nodes.filter((node) => node.role === 'control-plane').length)
      const talosconfig = await openSealed(context, sealedNames.talosconfig, 'Generate machine configs')
      const talosctl = await talosctlFor(deps, context)
      const timeoutMs = context.profile.timeouts.bootSeconds * 1000
      let lastProblem = ''
      const kubeconfig = await pollUntil(context, pollMs, timeoutMs, () =>
        fetchKubeconfig(talosctl, endpoints[0]!, talosconfig).catch((error: unknown) => {
          if (!(error instanceof AppError) || error.code !== 'tool_failed') throw error
          lastProblem = error.message
          context.log(`The Kubernetes API does not hand out a kubeconfig yet`)
          return null
        }),
      )
      if (kubeconfig === null) {
        throw new AppError(
          'timeout',
          `${nodes[0]!.hostname} did not hand out a kubeconfig within ${timeoutMs / 1000} s${lastProblem ? `: ${lastProblem}` : ''}.`,
          'Kubernetes may still be starting: retry the step to wait again.',
        )
      }
      registerYamlSecrets(kubeconfig, context.secret)
      await context.sealed.seal(sealedNames.kubeconfig, kubeconfig)
      await context.sealed.seal(sealedNames.talosconfig, aimTalosconfig(talosconfig, endpoints, addresses))
      context.log(`talosconfig: endpoints ${endpoints.join(', ')}; nodes ${addresses.join(', ')}`)
      return {
        message: `Sealed the kubeconfig and the talosconfig (endpoints ${endpoints.join(', ')})`,
        output: { endpoints, nodes: addresses },
      }
    },
  }
}

/** The talosconfig with its current context's endpoints (control planes) and nodes (all) set. */
export function aimTalosconfig(talosconfig: string, endpoints: string[], nodes: string[]): string {
  const document = parseDocument(talosconfig)
  const context = document.get('context')
  if (typeof context !== 'string')
    throw new AppError('internal', 'The sealed talosconfig names no current context.')
  document.setIn(['contexts', context, 'endpoints'], endpoints)
  document.setIn(['contexts', context, 'nodes'], nodes)
  return document.toString()
}
