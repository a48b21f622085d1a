// `clusterdeck cluster kubeconfig|talosconfig` as a process, with a real data directory, the real
// Secret Service holding the cluster's data key (the private D-Bus session of scripts/test.sh) and
// HOME in a temporary folder: the configs sealed for a bootstrapped cluster come out on stdout, into
// a file of their own, or merged into ~/.kube/config and ~/.talos/config without overwriting
// another context unless told to.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { main } from '../../src-main/cli/main.ts'
import { createAppCore } from '../../src-main/core/app-core.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import type { RequestOutput } from '../../src-shared/contract/index.ts'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { filesContaining } from '../support/find-in-files.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

// The service name the CLI uses, so the process finds the data key the test sealed with.
const keychain = new KeyringSecretStore()
let dir: ReturnType<typeof makeTempDir>
let dataDir: string
let home: string
let env: NodeJS.ProcessEnv
let lab: BootstrappedCluster

const modeOf = (path: string) => statSync(path).mode & 0o777

beforeAll(async () => {
  dir = makeTempDir()
  dataDir = join(dir.path, 'data')
  home = join(dir.path, 'home')
  mkdirSync(home)
  env = { CLUSTERDECK_HOME: dataDir, HOME: home, KUBECONFIG: '', TALOSCONFIG: '' }
  const core = createAppCore({ dataDir, secrets: keychain, transport: 'cli' })
  try {
    const board = await core.dispatch('boards.add', {
      name: 'rack-1',
      address: 'https://127.0.0.1:9',
      user: 'root',
      password: 'turing',
    })
    expect(board.ok).toBe(true)
    lab = await sealBootstrappedCluster(core, keychain, { name: 'lab', board: 'rack-1' })
    // A profile deployed up to nothing: a record without sealed configs.
    const bare = await core.dispatch('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: 'bare',
      board: 'rack-1',
    })
    if (!bare.ok) throw new Error(bare.error.message)
    const { saved } = bare.value as RequestOutput<'profiles.fromTemplate'>
    core.clusters.forProfile(saved.id, saved.profile)
  } finally {
    await core.close()
  }
})

afterAll(async () => {
  await lab?.forget()
  const core = createAppCore({ dataDir, secrets: keychain, transport: 'cli' })
  const boards = await core.dispatch('boards.list', {})
  for (const board of boards.ok ? (boards.value as RequestOutput<'boards.list'>) : [])
    await core.dispatch('boards.remove', { id: board.id })
  await core.close()
  dir?.remove()
})

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...env, ...extra } })

describe('clusterdeck cluster kubeconfig|talosconfig', () => {
  it('prints the sealed configs on stdout', async () => {
    expect(await cli(['cluster', 'kubeconfig', 'lab'])).toMatchObject({ code: 0, stdout: lab.kubeconfig })
    expect(await cli(['cluster', 'talosconfig', 'lab'])).toMatchObject({ code: 0, stdout: lab.talosconfig })
  })

  it('writes a file of mode 0600, and refuses to overwrite one unless --force', async () => {
    const file = join(dir.path, 'lab-kubeconfig.yaml')
    const written = await cli(['cluster', 'kubeconfig', 'lab', '-o', file])
    expect(written).toMatchObject({
      code: 0,
      stdout: `Wrote the kubeconfig of lab to ${file} (mode 0600).\n`,
    })
    expect(readFileSync(file, 'utf8')).toBe(lab.kubeconfig)
    expect(modeOf(file)).toBe(0o600)

    writeFileSync(file, 'mine\n', { mode: 0o644 })
    const refused = await cli(['cluster', 'kubeconfig', 'lab', '-o', file])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`${file} exists already: it was left as it was.`)
    expect(refused.stderr).toContain('--force')
    expect(readFileSync(file, 'utf8')).toBe('mine\n')

    expect((await cli(['cluster', 'kubeconfig', 'lab', '-o', file, '--force'])).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(lab.kubeconfig)
    expect(modeOf(file)).toBe(0o600)
  })

  it('merges the kubeconfig into ~/.kube/config under the cluster’s name, once', async () => {
    const config = join(home, '.kube', 'config')
    const added = await cli(['cluster', 'kubeconfig', 'lab', '--merge'])
    expect(added).toMatchObject({ code: 0, stderr: '' })
    expect(added.stdout).toBe(
      `Added this cluster's kubeconfig to ${config} as context "lab".\nUse it with: kubectl --context lab get nodes\n`,
    )
    expect(modeOf(config)).toBe(0o600)
    const merged = parse(readFileSync(config, 'utf8'))
    expect(merged['current-context']).toBe('lab')
    expect(merged.contexts).toEqual([
      { name: 'lab', context: { cluster: 'lab', namespace: 'default', user: 'lab' } },
    ])
    expect(merged.users[0].user['client-key-data']).toBe(
      parse(lab.kubeconfig).users[0].user['client-key-data'],
    )

    const before = readFileSync(config, 'utf8')
    const again = await cli(['cluster', 'kubeconfig', 'lab', '--merge'])
    expect(again.stdout).toContain(`${config} already has this kubeconfig as context "lab": nothing changed.`)
    expect(readFileSync(config, 'utf8')).toBe(before)
  })

  it('refuses another context of the name without a terminal, naming the flags; --rename and --replace', async () => {
    const config = join(dir.path, 'shared-kubeconfig')
    const theirs = `apiVersion: v1
kind: Config
clusters:
- name: home
  cluster: {server: 'https://home:6443'}
- name: lab
  cluster: {server: 'https://10.9.9.9:6443'}
users:
- name: lab
  user: {token: THEIR-TOKEN}
contexts:
- name: home
  context: {cluster: home, user: lab}
- name: lab
  context: {cluster: lab, user: lab}
current-context: home
`
    writeFileSync(config, theirs)
    // $KUBECONFIG's first file is where kubectl writes, so that is where the merge goes.
    const withEnv = { KUBECONFIG: `${config}:${join(dir.path, 'second')}` }
    const refused = await cli(['cluster', 'kubeconfig', 'lab', '--merge'], withEnv)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`${config} already has another context "lab": nothing was merged.`)
    expect(refused.stderr).toContain('Add --replace to overwrite it, or --rename to keep both')
    expect(readFileSync(config, 'utf8')).toBe(theirs)

    const renamed = await cli(['cluster', 'kubeconfig', 'lab', '--merge', '--rename'], withEnv)
    expect(renamed.stdout).toContain(`to ${config} as context "lab-2" (the name was taken)`)
    const both = parse(readFileSync(config, 'utf8'))
    expect(both.contexts.map((c: { name: string }) => c.name)).toEqual(['home', 'lab', 'lab-2'])
    expect(both['current-context']).toBe('home')
    expect(both.users[0]).toEqual({ name: 'lab', user: { token: 'THEIR-TOKEN' } })

    const replaced = await cli(['cluster', 'kubeconfig', 'lab', '--merge', '--replace'], withEnv)
    expect(replaced.stdout).toContain(`Replaced context "lab" in ${config}`)
    const after = parse(readFileSync(config, 'utf8'))
    expect(after.clusters.map((c: { name: string }) => c.name)).toEqual(['home', 'lab', 'lab-2'])
    expect(after.clusters[1].cluster.server).toBe('https://127.0.0.11:6443')
    expect(existsSync(join(dir.path, 'second'))).toBe(false)
  })

  it('merges the talosconfig into ~/.talos/config, or $TALOSCONFIG', async () => {
    const added = await cli(['cluster', 'talosconfig', 'lab', '--merge'])
    expect(added.stdout).toContain('Use it with: talosctl --context lab version')
    const config = join(home, '.talos', 'config')
    expect(parse(readFileSync(config, 'utf8'))).toEqual(parse(lab.talosconfig))
    expect(modeOf(config)).toBe(0o600)

    const elsewhere = join(dir.path, 'talosconfig')
    writeFileSync(elsewhere, 'context: home\ncontexts:\n  home:\n    endpoints: [10.0.0.2]\n')
    expect((await cli(['cluster', 'talosconfig', 'lab', '--merge'], { TALOSCONFIG: elsewhere })).code).toBe(0)
    const merged = parse(readFileSync(elsewhere, 'utf8'))
    expect(merged.context).toBe('home')
    expect(Object.keys(merged.contexts)).toEqual(['home', 'lab'])
  })

  it('asks on a terminal before replacing another context', async () => {
    const config = join(dir.path, 'asked-talosconfig')
    writeFileSync(config, 'context: lab\ncontexts:\n  lab:\n    endpoints: [10.9.9.9]\n')
    const stdin = Object.assign(new PassThrough(), { isTTY: true })
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    let prompt = ''
    stderr.on('data', (chunk: Buffer) => {
      prompt += chunk.toString()
      if (prompt.includes('[y/N]')) stdin.write('y\n')
    })
    const code = await main(['cluster', 'talosconfig', 'lab', '--merge', '-o', config], {
      stdin,
      stdout,
      stderr,
      env: { ...process.env, ...env },
    })
    expect(prompt).toContain(
      `${config} already has another context "lab". Replace it with this cluster's talosconfig? [y/N]`,
    )
    expect(code).toBe(0)
    expect(parse(readFileSync(config, 'utf8')).contexts.lab).toEqual(parse(lab.talosconfig).contexts.lab)
  })

  it('says what is wrong with the flags, and which cluster has nothing sealed yet', async () => {
    expect(await cli(['cluster', 'kubeconfig', 'lab', '--replace'])).toMatchObject({
      code: 2,
      stderr: 'clusterdeck: --replace goes with --merge\n',
    })
    expect(
      (await cli(['cluster', 'kubeconfig', 'lab', '--merge', '--replace', '--rename'])).stderr,
    ).toContain('give --replace or --rename, not both')
    const bare = await cli(['cluster', 'kubeconfig', 'bare'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('Cluster "bare" has no kubeconfig yet')
    expect(bare.stderr).toContain('clusterdeck deploy bare')
    const unknown = await cli(['cluster', 'talosconfig', 'nowhere'])
    expect(unknown).toMatchObject({ code: 2, stdout: '' })
    expect(unknown.stderr).toContain('No cluster record "nowhere"')
  })

  it('leaves no secret in clear in the data directory', () => {
    for (const secret of lab.secrets) expect(filesContaining(dataDir, secret)).toEqual([])
  })
})
