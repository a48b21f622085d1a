// One Kubernetes API call with a deadline and the caller's cancellation, its failure turned into
// an AppError that names the API server and says what to do. Messages never quote the response
// body or headers.
import {
  ApiException,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
} from '@kubernetes/client-node'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { errorCode } from '../images/fetch-errors.ts'

export interface KubeCall {
  /** The API server's origin, e.g. https://127.0.0.1:6443. */
  server: string
  /** What the call does, completing "asked to …", e.g. "list the nodes". */
  what: string
  signal?: AbortSignal
  /** Default 10 s: a healthy API server answers a single request in well under a second. */
  timeoutMs?: number
}

export async function callKubeApi<T>(
  call: KubeCall,
  request: (options: ConfigurationOptions) => Promise<T>,
): Promise<T> {
  const timeoutMs = call.timeoutMs ?? 10_000
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline
  // The object API takes the observable kind of middleware (as client-node's setHeaderOptions).
  const withSignal: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal)
      return new Observable(Promise.resolve(context))
    },
    post: (response) => new Observable(Promise.resolve(response)),
  }
  try {
    return await request({ middleware: [withSignal], middlewareMergeStrategy: 'append' })
  } catch (error) {
    throw kubeApiError(error, call.server, call.what, timeoutMs)
  }
}

export function kubeApiError(error: unknown, server: string, what: string, timeoutMs: number): AppError {
  if (error instanceof AppError) return error
  const api = `The Kubernetes API at ${server}`
  const theApi = `the Kubernetes API at ${server}`
  const name = (error as Error | undefined)?.name
  if (name === 'TimeoutError') {
    return new AppError(
      'timeout',
      `${api} did not answer within ${timeoutMs / 1000} s when asked to ${what}.`,
      'The control plane may still be starting or be overloaded; try again in a minute.',
    )
  }
  if (name === 'AbortError') return new AppError('cancelled', `Asking ${theApi} to ${what} was stopped.`)
  if (error instanceof ApiException) {
    if (error.code === 401) {
      return new AppError(
        'invalid_input',
        `${api} did not accept the kubeconfig's credentials (HTTP 401) when asked to ${what}.`,
        'The client certificate may have expired or belong to another cluster: get the cluster’s kubeconfig again.',
      )
    }
    if (error.code === 403) {
      return new AppError(
        'invalid_input',
        `The kubeconfig's user may not ${what} on ${theApi} (HTTP 403).`,
        'Use the cluster’s admin kubeconfig (what talosctl kubeconfig hands out).',
      )
    }
    return new AppError(
      'network_unreachable',
      `${api} answered HTTP ${error.code} when asked to ${what}.`,
      'The API server may still be starting; try again in a minute.',
    )
  }
  const code = errorCode(error)
  if (code === 'ENOENT' || code === 'EACCES') {
    const path = (error as { path?: string }).path ?? 'a file'
    return new AppError(
      'invalid_input',
      `The kubeconfig names ${path}, which cannot be read (${code}).`,
      'Use a kubeconfig with its certificates embedded (what talosctl kubeconfig hands out).',
    )
  }
  if (
    code?.startsWith('CERT_') ||
    code?.startsWith('ERR_TLS') ||
    code?.includes('SIGNATURE') ||
    code?.includes('SELF_SIGNED')
  ) {
    return new AppError(
      'invalid_input',
      `${api} presented a certificate that the kubeconfig's certificate authority does not accept (${code}).`,
      'The kubeconfig belongs to another cluster or an earlier installation of it: get the cluster’s kubeconfig again.',
    )
  }
  return new AppError(
    'network_unreachable',
    `Could not reach ${theApi} to ${what} (${code ?? innermostMessage(error)}).`,
    'Check that the cluster’s control plane nodes are powered on and booted, and that this computer reaches them.',
  )
}

/** fetch's own message is "fetch failed"; the reason is on its cause. */
function innermostMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause
  return cause instanceof Error
    ? innermostMessage(cause)
    : String((error as Error | undefined)?.message ?? error)
}
