// The etcd behind a virtual control plane: the loopback cluster's own etcd (plain gRPC on
// 127.0.0.1, as kwokctl starts it). `talosctl etcd snapshot` on a virtual node streams what etcd's
// Maintenance.Snapshot streams: the bbolt database followed by its sha256, which talosctl checks.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  credentials,
  loadPackageDefinition,
  status,
  type ClientReadableStream,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { VirtualEtcd } from './virtual-talos-backends.ts'

interface SnapshotResponse {
  blob: Buffer
}

const trailerBytes = 32
/** A loopback etcd's database is a few MB; this only stops a stream that never ends. */
const snapshotDeadlineMs = 5 * 60_000

let maintenanceClient: ServiceClientConstructor | undefined

// The Electron shell sets CLUSTERDECK_RESOURCES; from source (or the CLI bundle, two levels below
// the repository too) the folder sits two levels above this file.
function protoPath(): string {
  const root =
    process.env.CLUSTERDECK_RESOURCES ?? fileURLToPath(new URL('../../resources/', import.meta.url))
  return join(root, 'virtual-talos', 'etcd-maintenance.proto')
}

function maintenance(): ServiceClientConstructor {
  maintenanceClient ??= (
    loadPackageDefinition(loadSync(protoPath())) as {
      etcdserverpb: { Maintenance: ServiceClientConstructor }
    }
  ).etcdserverpb.Maintenance
  return maintenanceClient
}

/** `endpoint`: etcd's client URL, e.g. http://127.0.0.1:2379 (loopback-backends.ts checks it). */
export function loopbackEtcd(endpoint: string): VirtualEtcd {
  const { host } = new URL(endpoint)
  return {
    async *snapshot(signal) {
      if (signal.aborted) throw cancelled(endpoint)
      const client = new (maintenance())(host, credentials.createInsecure())
      const call = client.Snapshot!(
        {},
        { deadline: Date.now() + snapshotDeadlineMs },
      ) as ClientReadableStream<SnapshotResponse>
      const cancel = () => call.cancel()
      signal.addEventListener('abort', cancel, { once: true })
      // The last 32 bytes seen so far may be the trailer: they are held back until the next chunk
      // shows they are not, so the trailer is checked before it is passed on.
      const hash = createHash('sha256')
      let held = Buffer.alloc(0)
      try {
        for await (const response of call as AsyncIterable<SnapshotResponse>) {
          const data = Buffer.concat([held, response.blob])
          const body = data.subarray(0, Math.max(0, data.length - trailerBytes))
          held = data.subarray(body.length)
          if (body.length > 0) {
            hash.update(body)
            yield body
          }
        }
      } catch (error) {
        throw signal.aborted ? cancelled(endpoint) : etcdError(error as ServiceError, endpoint)
      } finally {
        // Also when the consumer stops reading early: the stream must not go on in the background.
        signal.removeEventListener('abort', cancel)
        call.cancel()
        client.close()
      }
      if (held.length < trailerBytes || !hash.digest().equals(held)) {
        throw new AppError(
          'internal',
          `The etcd snapshot from ${endpoint} arrived damaged: its sha256 trailer does not match its contents.`,
          'Take the snapshot again.',
        )
      }
      yield held
    },
  }
}

function cancelled(endpoint: string): AppError {
  return new AppError('cancelled', `The etcd snapshot from ${endpoint} was stopped.`)
}

function etcdError(error: ServiceError, endpoint: string): AppError {
  if (error.code === status.UNAVAILABLE) {
    return new AppError(
      'network_unreachable',
      `etcd at ${endpoint} is not reachable (${/\bE[A-Z]{3,}\b/.exec(error.details)?.[0] ?? error.details}).`,
      'Start the loopback cluster and point CLUSTERDECK_VIRTUAL_ETCD at its etcd (docs/virtual-board.md).',
    )
  }
  if (error.code === status.DEADLINE_EXCEEDED) {
    return new AppError(
      'timeout',
      `The etcd snapshot from ${endpoint} did not finish within ${snapshotDeadlineMs / 60_000} minutes.`,
      'Check that etcd is not overloaded, then take the snapshot again.',
    )
  }
  return new AppError(
    'internal',
    `etcd at ${endpoint} could not stream a snapshot (${status[error.code] ?? error.code}: ${error.details}).`,
  )
}
