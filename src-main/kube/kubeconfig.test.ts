import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { loadKubeconfig } from './kubeconfig.ts'

const secret = 'c2VjcmV0LWtleQ=='

function kubeconfig(
  overrides: { server?: string; user?: object; currentContext?: string; contextCluster?: string } = {},
) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server: overrides.server ?? 'https://10.0.0.10:6443/' } }],
    users: [
      {
        name: 'admin@lab',
        user: overrides.user ?? { 'client-certificate-data': secret, 'client-key-data': secret },
      },
    ],
    contexts: [
      { name: 'admin@lab', context: { cluster: overrides.contextCluster ?? 'lab', user: 'admin@lab' } },
    ],
    'current-context': overrides.currentContext ?? 'admin@lab',
  })
}

function failure(text: string): AppError {
  try {
    loadKubeconfig(text)
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('invalid_input')
    expect((error as AppError).message).not.toContain(secret)
    return error as AppError
  }
  throw new Error('expected the kubeconfig to be refused')
}

describe('loadKubeconfig', () => {
  it('loads a kubeconfig with embedded credentials and names its server by origin', () => {
    const { kubeConfig, server } = loadKubeconfig(kubeconfig())
    expect(server).toBe('https://10.0.0.10:6443')
    expect(kubeConfig.getCurrentUser()?.name).toBe('admin@lab')
  })

  it('names the line of a YAML error without quoting it', () => {
    expect(failure(`users:\n- user:\n    token: "${secret}\n`).message).toMatch(/not valid YAML \(line \d+\)/)
  })

  it('names what is missing or dangling', () => {
    expect(failure('kind: Config\n').message).toContain('clusters')
    expect(failure(kubeconfig({ currentContext: 'other' })).message).toContain('the current context "other"')
    expect(failure(kubeconfig({ contextCluster: 'gone' })).message).toContain('cluster "gone"')
  })

  it('wants an https API server', () => {
    expect(failure(kubeconfig({ server: 'http://10.0.0.10:8080' })).message).toContain('https://')
    expect(failure(kubeconfig({ server: 'not a url' })).message).toContain('https://')
  })

  it('never runs an exec plugin or auth provider', () => {
    const exec = failure(kubeconfig({ user: { exec: { command: 'sh', args: ['-c', secret] } } }))
    expect(exec.message).toContain('exec plugin')
    expect(failure(kubeconfig({ user: { 'auth-provider': { name: 'oidc' } } })).message).toContain(
      'auth provider',
    )
  })
})
