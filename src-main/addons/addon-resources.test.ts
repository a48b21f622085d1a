// Bounded retries and waits, with the Kubernetes API played by functions (the real calls are
// exercised against the loopback cluster in tests/peers/addon-install.test.ts).
import { describe, expect, it } from 'vitest'
import type { ReadinessCheck } from '../../src-shared/addons/addon-catalogue.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { CheckResult, KubeResource } from '../kube/kube-objects.ts'
import { applyWithRetries, metallbPool, waitUntilReady } from './addon-resources.ts'

function waiting(lines: string[]) {
  return { signal: new AbortController().signal, log: (line: string) => void lines.push(line), pollMs: 1 }
}

const refusal = Object.assign(new Error('HTTP 500'), {
  code: 500,
  body: JSON.stringify({
    message: 'failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": connection refused',
  }),
})

describe('applyWithRetries', () => {
  it('retries what a warming webhook refuses, saying so, until it is taken', async () => {
    const applied: string[] = []
    let refusals = 2
    const lines: string[] = []
    await applyWithRetries(
      {
        apply: async (object: KubeResource) => {
          if (object.kind === 'IPAddressPool' && refusals-- > 0) throw refusal
          applied.push(object.kind)
        },
      },
      metallbPool('metallb-system', '10.10.88.80-10.10.88.89'),
      waiting(lines),
    )
    expect(applied).toEqual(['IPAddressPool', 'L2Advertisement'])
    expect(lines).toEqual([
      'IPAddressPool clusterdeck-pool refused (attempt 1 of 8): failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": connection refused',
      'IPAddressPool clusterdeck-pool refused (attempt 2 of 8): failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": connection refused',
      'applied IPAddressPool clusterdeck-pool',
      'applied L2Advertisement clusterdeck-pool',
    ])
  })

  it('gives up after the bounded number of attempts with the server’s reason', async () => {
    let calls = 0
    const error = await applyWithRetries(
      {
        apply: async () => {
          calls++
          throw refusal
        },
      },
      metallbPool('metallb-system', '10.10.88.80-10.10.88.89'),
      waiting([]),
      3,
    ).catch((e: unknown) => e)
    expect(calls).toBe(3)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({
      code: 'cluster_refused',
      message: expect.stringMatching(
        /^IPAddressPool clusterdeck-pool was refused 3 times: failed calling webhook/,
      ),
    })
  })
})

describe('waitUntilReady', () => {
  const checks: ReadinessCheck[] = [
    { kind: 'deployment', name: 'traefik' },
    { kind: 'load-balancer', service: 'traefik' },
  ]

  it('returns once every check holds, logging only what changed', async () => {
    let looks = 0
    const lines: string[] = []
    const results = await waitUntilReady(
      {
        check: async (check): Promise<CheckResult> => {
          looks++
          if (check.kind === 'deployment') return { ready: true, detail: 'deployment traefik: 1/1 available' }
          return looks > 6
            ? { ready: true, detail: 'LoadBalancer service traefik: 10.10.88.80', address: '10.10.88.80' }
            : { ready: false, detail: 'LoadBalancer service traefik: no address yet' }
        },
      },
      checks,
      'traefik',
      10_000,
      waiting(lines),
    )
    expect(results.map((result) => result.address)).toEqual([undefined, '10.10.88.80'])
    expect(lines).toEqual([
      'deployment traefik: 1/1 available; LoadBalancer service traefik: no address yet',
      'deployment traefik: 1/1 available; LoadBalancer service traefik: 10.10.88.80',
    ])
  })

  it('fails after its time naming only what is not ready', async () => {
    const error = await waitUntilReady(
      {
        check: async (check): Promise<CheckResult> =>
          check.kind === 'deployment'
            ? { ready: true, detail: 'deployment traefik: 1/1 available' }
            : { ready: false, detail: 'LoadBalancer service traefik: no address yet' },
      },
      checks,
      'traefik',
      20,
      waiting([]),
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'timeout',
      message: 'Not ready after 0 s: LoadBalancer service traefik: no address yet',
    })
  })
})
