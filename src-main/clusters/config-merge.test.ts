import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { mergeConfig, type MergeInput } from './config-merge.ts'

const path = '/home/me/.kube/config'

/** A kubeconfig as `talosctl kubeconfig` hands it out. */
function kubeconfig(server: string, key: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: ${server}
    certificate-authority-data: Q0EtQ1JU
users:
- name: admin@lab
  user:
    client-certificate-data: Q0xJRU5ULUNSVA==
    client-key-data: ${key}
contexts:
- name: admin@lab
  context:
    cluster: lab
    namespace: default
    user: admin@lab
current-context: admin@lab
`
}

const ours = kubeconfig('https://127.0.0.11:6443', 'S0VZLU9ORQ==')
const theirs = kubeconfig('https://10.0.0.5:6443', 'S0VZLVRXTw==')

const usersFile = `# my clusters
apiVersion: v1
kind: Config
clusters:
- name: home
  cluster:
    server: https://home.example:6443
users:
- name: home-admin
  user:
    token: HOME-TOKEN
contexts:
- name: home
  context:
    cluster: home
    user: home-admin
current-context: home
preferences: {}
`

const merge = (existing: string | null, overrides: Partial<MergeInput> = {}) =>
  mergeConfig({
    kind: 'kubeconfig',
    existing,
    incoming: ours,
    name: 'lab',
    onConflict: 'refuse',
    path,
    ...overrides,
  })

const names = (text: string, section: string) =>
  (parse(text)[section] as { name: string }[]).map((entry) => entry.name)

describe('mergeConfig: kubeconfig', () => {
  it('writes a new file whose context, cluster and user are named after the cluster, and current', () => {
    const result = merge(null)
    expect(result).toMatchObject({ context: 'lab', outcome: 'added' })
    expect(parse(result.text!)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'lab',
          cluster: { server: 'https://127.0.0.11:6443', 'certificate-authority-data': 'Q0EtQ1JU' },
        },
      ],
      users: [
        {
          name: 'lab',
          user: { 'client-certificate-data': 'Q0xJRU5ULUNSVA==', 'client-key-data': 'S0VZLU9ORQ==' },
        },
      ],
      contexts: [{ name: 'lab', context: { cluster: 'lab', namespace: 'default', user: 'lab' } }],
      preferences: {},
      'current-context': 'lab',
    })
    expect(merge('')).toEqual(result)
  })

  it('adds to a file and keeps its entries, order, comment and current context', () => {
    const { text, outcome } = merge(usersFile)
    expect(outcome).toBe('added')
    expect(text!.startsWith('# my clusters\napiVersion: v1\nkind: Config\nclusters:\n- name: home\n')).toBe(
      true,
    )
    const merged = parse(text!)
    expect(merged['current-context']).toBe('home')
    expect(names(text!, 'clusters')).toEqual(['home', 'lab'])
    expect(names(text!, 'users')).toEqual(['home-admin', 'lab'])
    expect(names(text!, 'contexts')).toEqual(['home', 'lab'])
    expect(merged.users[0]).toEqual({ name: 'home-admin', user: { token: 'HOME-TOKEN' } })
  })

  it('changes nothing when the same config is there already', () => {
    const once = merge(usersFile).text!
    expect(merge(once)).toEqual({ text: null, context: 'lab', outcome: 'unchanged' })
  })

  it('refuses another config under the name, naming the context, unless told to replace or rename', () => {
    const once = merge(usersFile, { incoming: theirs }).text!
    expect(() => merge(once)).toThrow(
      expect.objectContaining({
        code: 'conflict',
        message: expect.stringContaining(`${path} already has a context, cluster or user "lab" that is not`),
        details: { context: 'lab', path },
      }),
    )

    const replaced = merge(once, { onConflict: 'replace' })
    expect(replaced).toMatchObject({ context: 'lab', outcome: 'replaced' })
    expect(names(replaced.text!, 'contexts')).toEqual(['home', 'lab'])
    expect(replaced.text).toContain('S0VZLU9ORQ==')
    expect(replaced.text).not.toContain('S0VZLVRXTw==')

    const renamed = merge(once, { onConflict: 'rename' })
    expect(renamed).toMatchObject({ context: 'lab-2', outcome: 'renamed' })
    expect(names(renamed.text!, 'users')).toEqual(['home-admin', 'lab', 'lab-2'])
    expect(parse(renamed.text!).contexts[2].context).toMatchObject({ cluster: 'lab-2', user: 'lab-2' })
    // Kept both: a second merge finds this config under its new name.
    expect(merge(renamed.text!, { onConflict: 'rename' })).toMatchObject({
      context: 'lab-2',
      outcome: 'unchanged',
    })
    expect(merge(renamed.text!)).toMatchObject({ context: 'lab-2', outcome: 'unchanged' })
    // Replace is about the cluster's own name, whatever a renamed copy holds.
    expect(merge(renamed.text!, { onConflict: 'replace' })).toMatchObject({
      context: 'lab',
      outcome: 'replaced',
    })
  })

  it('counts a lone cluster or user entry of the name as taken', () => {
    const lone = usersFile.replace('- name: home-admin', '- name: lab')
    expect(() => merge(lone)).toThrow(expect.objectContaining({ code: 'conflict' }))
    expect(merge(lone, { onConflict: 'rename' }).context).toBe('lab-2')
  })

  it('refuses a file it cannot read as a kubeconfig, without quoting it', () => {
    expect(() => merge('users: [\n- token: SECRET-IN-FILE\nx')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: expect.stringMatching(/^\/home\/me\/\.kube\/config is not valid YAML \(line \d+\)/),
      }),
    )
    expect(() => merge('- a\n- b\n')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('no mapping') }),
    )
    expect(() => merge('contexts: {}\n')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('has a "contexts" that is not a list') }),
    )
  })

  it('refuses a sealed kubeconfig without a complete current context, naming no value', () => {
    const broken = ours.replace('- name: admin@lab\n  user:', '- name: someone\n  user:')
    expect(() => merge(null, { incoming: broken })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.not.stringContaining('S0VZ') }),
    )
    expect(() => merge(null, { incoming: 'clusters: 3\n' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('it lacks clusters, users, contexts') }),
    )
  })
})

/** A talosconfig as `talosctl gen config` writes it. */
function talosconfig(endpoint: string, key: string): string {
  return `context: lab
contexts:
    lab:
        endpoints:
            - ${endpoint}
        nodes:
            - ${endpoint}
            - 127.0.0.12
        ca: T1MtQ0E=
        crt: QURNSU4tQ1JU
        key: ${key}
`
}

describe('mergeConfig: talosconfig', () => {
  const talosPath = '/home/me/.talos/config'
  const mergeTalos = (existing: string | null, overrides: Partial<MergeInput> = {}) =>
    merge(existing, {
      kind: 'talosconfig',
      incoming: talosconfig('127.0.0.11', 'S0VZ'),
      path: talosPath,
      ...overrides,
    })
  const homeFile =
    'context: home\ncontexts:\n  home:\n    endpoints: [10.0.0.2]\n    ca: QQ==\n    crt: Qg==\n    key: Qw==\n'

  it('writes a new file with the context current', () => {
    const result = mergeTalos(null)
    expect(result.outcome).toBe('added')
    expect(parse(result.text!)).toEqual({
      context: 'lab',
      contexts: {
        lab: {
          endpoints: ['127.0.0.11'],
          nodes: ['127.0.0.11', '127.0.0.12'],
          ca: 'T1MtQ0E=',
          crt: 'QURNSU4tQ1JU',
          key: 'S0VZ',
        },
      },
    })
  })

  it('adds beside the other contexts, keeps the current one, and is unchanged the second time', () => {
    const { text } = mergeTalos(homeFile)
    expect(parse(text!).context).toBe('home')
    expect(Object.keys(parse(text!).contexts)).toEqual(['home', 'lab'])
    expect(mergeTalos(text)).toEqual({ text: null, context: 'lab', outcome: 'unchanged' })
  })

  it('refuses, replaces or renames on another context of the name', () => {
    const other = mergeTalos(homeFile, { incoming: talosconfig('10.9.9.9', 'T1RIRVI=') }).text!
    expect(() => mergeTalos(other)).toThrow(
      expect.objectContaining({ code: 'conflict', details: { context: 'lab', path: talosPath } }),
    )
    const replaced = mergeTalos(other, { onConflict: 'replace' })
    expect(replaced.outcome).toBe('replaced')
    expect(parse(replaced.text!).contexts.lab.key).toBe('S0VZ')
    const renamed = mergeTalos(other, { onConflict: 'rename' })
    expect(renamed).toMatchObject({ context: 'lab-2', outcome: 'renamed' })
    expect(Object.keys(parse(renamed.text!).contexts)).toEqual(['home', 'lab', 'lab-2'])
    expect(parse(renamed.text!).contexts.lab.key).toBe('T1RIRVI=')
  })
})
