// gRPC failures as Talos reports them: a status code and message, and for apid's per-node answers
// the text Go's status error prints ("rpc error: code = AlreadyExists desc = …").
import { status } from '@grpc/grpc-js'

export { status as rpcCode }

export class RpcError extends Error {
  readonly code: status
  readonly details: string

  constructor(code: status, details: string) {
    super(details)
    this.code = code
    this.details = details
  }
}

// Go's codes.Code String() names.
const goNames: Record<number, string> = {
  [status.CANCELLED]: 'Canceled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
}

/** Any thrown value as an RpcError; plain errors become Unknown, as a Go handler's would. */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error
  return new RpcError(status.UNKNOWN, error instanceof Error ? error.message : String(error))
}

/** common.Metadata for one node's failure in an apid aggregated answer. */
export function failureMetadata(hostname: string, error: RpcError) {
  return {
    hostname,
    error: `rpc error: code = ${goNames[error.code] ?? 'Unknown'} desc = ${error.details}`,
    status: { code: error.code, message: error.details },
  }
}
