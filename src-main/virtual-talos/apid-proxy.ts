// apid's routing in front of a virtual node's machine API. A request without `node`/`nodes`
// metadata is answered by the node itself. On a configured node, `nodes` fans out to each named
// node of the fleet and every answer carries metadata.hostname (a node that cannot be reached
// answers with metadata.error, the call itself succeeds); `node` forwards to one node and relays
// its answer as is. A maintenance node forwards nothing ("no request forwarding").
import type {
  Metadata,
  sendUnaryData,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
} from '@grpc/grpc-js'
import { once } from 'node:events'
import {
  authorize,
  receiveEtcdSnapshot,
  streamMethods,
  unaryMethods,
  type Caller,
} from './machine-service.ts'
import { failureMetadata, RpcError, rpcCode, toRpcError } from './rpc-error.ts'
import { rolesOf } from './talos-certs.ts'
import { talosApiPort } from './talos-fleet.ts'
import type { VirtualTalosNode } from './virtual-talos-node.ts'

export type Route = { kind: 'local' } | { kind: 'one'; target: string } | { kind: 'many'; targets: string[] }

// Node's HTTP/2 joins repeated header fields with ", ": talosctl's `nodes` values come joined.
function values(metadata: Metadata, key: string): string[] {
  return metadata
    .get(key)
    .flatMap((value) => String(value).split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '')
}

export function routeOf(node: VirtualTalosNode, metadata: Metadata): Route {
  const many = values(metadata, 'nodes')
  const one = values(metadata, 'node')
  if (metadata.get('proxyfrom').length > 0) return { kind: 'local' }
  if (one.length > 1) throw new RpcError(rpcCode.INVALID_ARGUMENT, 'node metadata must be single-valued')
  if (node.mode === 'maintenance') {
    const targets = many.length > 0 ? many : one
    if (targets.length === 0 || (targets.length === 1 && targets[0] === node.address))
      return { kind: 'local' }
    throw new RpcError(rpcCode.PERMISSION_DENIED, 'no request forwarding')
  }
  if (many.length > 0) return { kind: 'many', targets: many }
  if (one.length === 1) return { kind: 'one', target: one[0]! }
  return { kind: 'local' }
}

/** The node apid would reach for `target`, or the error its dial would end in. */
export function reach(from: VirtualTalosNode, target: string): VirtualTalosNode {
  const address = target.replace(new RegExp(`:${talosApiPort}$`), '')
  const node = from.host.fleet.nodeAt(address)
  if (!node || node.mode === undefined)
    throw new RpcError(
      rpcCode.UNAVAILABLE,
      `connection error: desc = "transport: Error while dialing: dial tcp ${address}:${talosApiPort}: connect: connection refused"`,
    )
  // apid dials with the cluster's client certificate and verifies the peer against the OS CA.
  if (node.mode !== 'configured' || node.config?.ca.crt !== from.config?.ca.crt)
    throw new RpcError(
      rpcCode.UNAVAILABLE,
      'connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"',
    )
  return node
}

export function callerOf(
  node: VirtualTalosNode,
  call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>,
): Caller {
  if (node.mode === 'maintenance') return { roles: new Set(['os:reader']) }
  return { roles: rolesOf(call.getAuthContext().sslPeerCertificate?.subject?.O) }
}

async function answerUnary(
  node: VirtualTalosNode,
  method: string,
  request: Record<string, unknown>,
  caller: Caller,
) {
  authorize(node, method, caller)
  return unaryMethods[method]!(node, request)
}

function unaryHandler(node: VirtualTalosNode, method: string) {
  return (call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) => {
    const run = async () => {
      const caller = callerOf(node, call)
      const route = routeOf(node, call.metadata)
      if (route.kind === 'local') return { messages: [await answerUnary(node, method, call.request, caller)] }
      if (route.kind === 'one')
        return { messages: [await answerUnary(reach(node, route.target), method, call.request, caller)] }
      const messages = await Promise.all(
        route.targets.map(async (target) => {
          try {
            const message = await answerUnary(reach(node, target), method, call.request, caller)
            return { ...message, metadata: { hostname: target } }
          } catch (error) {
            return { metadata: failureMetadata(target, toRpcError(error)) }
          }
        }),
      )
      return { messages }
    }
    run().then(
      (response) => callback(null, response),
      (error: unknown) => callback(toRpcError(error)),
    )
  }
}

/** Writes one message, waiting while the client is behind (etcd snapshots are large). */
async function send(
  call: ServerWritableStream<unknown, unknown>,
  message: unknown,
  signal: AbortSignal,
): Promise<void> {
  if (!call.write(message)) await once(call, 'drain', { signal })
}

function streamHandler(node: VirtualTalosNode, method: string) {
  return (call: ServerWritableStream<Record<string, unknown>, unknown>) => {
    const aborted = new AbortController()
    call.on('cancelled', () => aborted.abort())
    const chunks = (target: VirtualTalosNode, caller: Caller) => {
      authorize(target, method, caller)
      return streamMethods[method]!(target, call.request, aborted.signal)
    }
    const run = async () => {
      const caller = callerOf(node, call)
      const route = routeOf(node, call.metadata)
      if (route.kind !== 'many') {
        const target = route.kind === 'one' ? reach(node, route.target) : node
        for await (const bytes of chunks(target, caller)) await send(call, { bytes }, aborted.signal)
        return
      }
      for (const hostname of route.targets) {
        try {
          for await (const bytes of chunks(reach(node, hostname), caller))
            await send(call, { metadata: { hostname }, bytes }, aborted.signal)
        } catch (error) {
          await send(call, { metadata: failureMetadata(hostname, toRpcError(error)) }, aborted.signal)
        }
      }
    }
    run().then(
      () => call.end(),
      (error: unknown) => call.emit('error', toRpcError(error)),
    )
  }
}

/** The largest snapshot EtcdRecover takes: far above a home lab's etcd, well below the memory. */
const maxRecoverBytes = 512 * 1024 * 1024

/** EtcdRecover: the client streams a snapshot to the node it names (no forwarding, as talosctl aims it). */
function recoverHandler(node: VirtualTalosNode) {
  return (call: ServerReadableStream<{ bytes?: Buffer }, unknown>, callback: sendUnaryData<unknown>) => {
    const run = async () => {
      // talosctl names the node in `nodes`: one of them may be named, not several.
      const route = routeOf(node, call.metadata)
      if (route.kind === 'many' && route.targets.length > 1)
        throw new RpcError(rpcCode.INVALID_ARGUMENT, 'etcd recover is aimed at one node')
      const named = route.kind === 'one' ? route.target : route.kind === 'many' ? route.targets[0]! : null
      const target = named ? reach(node, named) : node
      authorize(target, 'EtcdRecover', callerOf(node, call))
      const chunks: Buffer[] = []
      let size = 0
      for await (const message of call as AsyncIterable<{ bytes?: Buffer }>) {
        size += message.bytes?.length ?? 0
        if (size > maxRecoverBytes)
          throw new RpcError(rpcCode.RESOURCE_EXHAUSTED, 'the snapshot is larger than a virtual node takes')
        if (message.bytes) chunks.push(message.bytes)
      }
      return { messages: [receiveEtcdSnapshot(target, Buffer.concat(chunks))] }
    }
    run().then(
      (response) => callback(null, response),
      (error: unknown) => callback(toRpcError(error)),
    )
  }
}

/** The grpc-js implementation of machine.MachineService for one node. */
export function machineServiceImplementation(node: VirtualTalosNode): UntypedServiceImplementation {
  const implementation: UntypedServiceImplementation = {}
  for (const method of Object.keys(unaryMethods)) implementation[method] = unaryHandler(node, method)
  for (const method of Object.keys(streamMethods)) implementation[method] = streamHandler(node, method)
  implementation.EtcdRecover = recoverHandler(node)
  return implementation
}
