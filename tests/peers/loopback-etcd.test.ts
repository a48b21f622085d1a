// Snapshots of the loopback cluster's etcd through its gRPC Maintenance.Snapshot
// (src-main/virtual-talos/loopback-etcd.ts): what a virtual control plane streams to
// `talosctl etcd snapshot`. Skipped, with the reason, where scripts/peers.sh could not build the peers.
import { createHash, randomBytes } from 'node:crypto'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { loopbackBackends } from '../../src-main/virtual-talos/loopback-backends.ts'
import type { VirtualEtcd } from '../../src-main/virtual-talos/virtual-talos-backends.ts'
import { rejection } from '../support/app-error.ts'
import { closedPort } from '../support/closed-port.ts'

const cluster = inject('loopbackCluster')
const skip = cluster.skip

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of chunks) parts.push(Buffer.from(chunk))
  return Buffer.concat(parts)
}

describe.skipIf(skip !== undefined)(`loopback etcd snapshots${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const kubeConfig = new KubeConfig()
  let etcd: VirtualEtcd
  const namespace = `snapshot-${randomBytes(3).toString('hex')}`

  beforeAll(async () => {
    kubeConfig.loadFromFile(cluster.kubeconfigPath)
    etcd = (await loopbackBackends({ etcdEndpoint: cluster.etcdEndpoint })).etcd!
  })

  afterAll(async () => {
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: namespace })
      .catch(() => undefined)
  })

  it('streams a bbolt database with its sha256 trailer, holding what the cluster stored', async () => {
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } })
    const snapshot = await collect(etcd.snapshot(new AbortController().signal))

    // talosctl's check: whole 512-byte pages plus the 32-byte trailer.
    expect(snapshot.length % 512).toBe(32)
    const database = snapshot.subarray(0, -32)
    expect(createHash('sha256').update(database).digest()).toEqual(snapshot.subarray(-32))
    // bbolt's first page is a meta page: 16-byte page header (flags 0x04 = meta at offset 8), then the magic.
    expect(database.readUInt16LE(8)).toBe(0x04)
    expect(database.readUInt32LE(16)).toBe(0xed0cdaed)
    expect(database.includes(Buffer.from(`/registry/namespaces/${namespace}`))).toBe(true)
  })

  it('stops when the caller cancels midway', async () => {
    const abort = new AbortController()
    const chunks = etcd.snapshot(abort.signal)[Symbol.asyncIterator]()
    expect((await chunks.next()).done).toBe(false)
    abort.abort()
    const error = await rejection(chunks.next())
    expect(error.code).toBe('cancelled')
  })

  it('a consumer may stop reading early without an error, and the next snapshot is whole', async () => {
    for await (const chunk of etcd.snapshot(new AbortController().signal)) {
      expect(chunk.length).toBeGreaterThan(0)
      break
    }
    const snapshot = await collect(etcd.snapshot(new AbortController().signal))
    expect(snapshot.length % 512).toBe(32)
  })

  it('names the endpoint when no etcd listens there', async () => {
    const port = await closedPort()
    const absent = (await loopbackBackends({ etcdEndpoint: `http://127.0.0.1:${port}` })).etcd!
    const error = await rejection(collect(absent.snapshot(new AbortController().signal)))
    expect(error.code).toBe('network_unreachable')
    expect(error.message).toContain(`http://127.0.0.1:${port}`)
    expect(error.message).toContain('ECONNREFUSED')
  })
})
