import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { backendsFromEnv, etcdVariable, kubeconfigVariable } from './loopback-backends.ts'

const dir = makeTempDir()
afterAll(() => dir.remove())

async function refusal(env: NodeJS.ProcessEnv): Promise<AppError> {
  const error = await backendsFromEnv(env).then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).code).toBe('invalid_input')
  return error as AppError
}

describe('backendsFromEnv', () => {
  it('gives no backends when neither variable is set', async () => {
    expect(await backendsFromEnv({})).toBeUndefined()
    expect(await backendsFromEnv({ [kubeconfigVariable]: ' ', [etcdVariable]: '' })).toBeUndefined()
  })

  it('takes each backend from its own variable', async () => {
    const path = join(dir.path, 'kubeconfig.yaml')
    writeFileSync(
      path,
      stringify({
        clusters: [{ name: 'kwok', cluster: { server: 'https://127.0.0.1:32764' } }],
        users: [{ name: 'kwok', user: { token: 'x' } }],
        contexts: [{ name: 'kwok', context: { cluster: 'kwok', user: 'kwok' } }],
        'current-context': 'kwok',
      }),
    )
    const kubernetesOnly = await backendsFromEnv({ [kubeconfigVariable]: path })
    expect(kubernetesOnly?.kubernetes).toBeDefined()
    expect(kubernetesOnly?.etcd).toBeUndefined()
    const etcdOnly = await backendsFromEnv({ [etcdVariable]: 'http://127.0.0.1:32765' })
    expect(etcdOnly?.etcd).toBeDefined()
    expect(etcdOnly?.kubernetes).toBeUndefined()
  })

  it('names a kubeconfig file that is not there and the variable to fix', async () => {
    const missing = join(dir.path, 'gone.yaml')
    const error = await refusal({ [kubeconfigVariable]: missing })
    expect(error.message).toContain(`${missing} cannot be read (ENOENT)`)
    expect(error.hint).toContain(kubeconfigVariable)
  })

  it('says which variable names a kubeconfig that is not usable', async () => {
    const path = join(dir.path, 'not-a-kubeconfig.yaml')
    writeFileSync(path, 'apiVersion: v1\nkind: Config\n')
    const error = await refusal({ [kubeconfigVariable]: path })
    expect(error.message).toContain('The kubeconfig is not usable')
    expect(error.hint).toContain(kubeconfigVariable)
  })

  it('wants etcd as a plain http client URL with its port', async () => {
    for (const endpoint of [
      '127.0.0.1:2379',
      'https://127.0.0.1:2379',
      'http://127.0.0.1',
      'http://127.0.0.1:2379/v3',
    ]) {
      const error = await refusal({ [etcdVariable]: endpoint })
      expect(error.message).toContain(`"${endpoint}" is not the client URL of a loopback etcd`)
      expect(error.hint).toContain(etcdVariable)
    }
  })
})
