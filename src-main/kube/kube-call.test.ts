import { ApiException } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { kubeApiError } from './kube-call.ts'

const server = 'https://10.0.0.10:6443'
const mapped = (error: unknown) => kubeApiError(error, server, 'list the nodes', 10_000)

describe('kubeApiError', () => {
  it('tells rejected credentials and missing permissions apart, without the response body', () => {
    const unauthorized = mapped(new ApiException(401, 'Unauthorized', { token: 'secret' }, {}))
    expect(unauthorized).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('HTTP 401'),
    })
    expect(unauthorized.message).toContain(server)
    expect(unauthorized.message).not.toContain('secret')
    expect(mapped(new ApiException(403, 'Forbidden', {}, {}))).toMatchObject({
      code: 'invalid_input',
      message: `The kubeconfig's user may not list the nodes on the Kubernetes API at ${server} (HTTP 403).`,
    })
    expect(mapped(new ApiException(503, 'Unavailable', {}, {})).code).toBe('network_unreachable')
  })

  it('tells a deadline from a cancellation', () => {
    expect(mapped(new DOMException('timed out', 'TimeoutError'))).toMatchObject({
      code: 'timeout',
      message: `The Kubernetes API at ${server} did not answer within 10 s when asked to list the nodes.`,
    })
    expect(mapped(new DOMException('aborted', 'AbortError')).code).toBe('cancelled')
  })

  it('names the socket error under fetch failed', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    })
    expect(mapped(refused)).toMatchObject({
      code: 'network_unreachable',
      message: `Could not reach the Kubernetes API at ${server} to list the nodes (ECONNREFUSED).`,
    })
  })
})
