// The resource state API (cosi.resource.State) of a virtual node, read-only: Get, List and Watch
// of one resource, what talosctl upgrade-k8s reads through it (docs/upgrades.md). apid routes it
// like the machine API's one-node calls: without `node` metadata the node answers itself, with
// `node` the named node of the fleet answers; a configured node only, any role of the cluster's.
import type {
  sendUnaryData,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedServiceImplementation,
} from '@grpc/grpc-js'
import { callerOf, reach, routeOf } from './apid-proxy.ts'
import { RpcError, rpcCode, toRpcError } from './rpc-error.ts'
import type { ResourceEvent, ResourceKey, StoredResource } from './talos-resources.ts'
import type { VirtualTalosNode } from './virtual-talos-node.ts'

type Call = Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext'>

const readers = ['os:admin', 'os:operator', 'os:reader']

/** The node that answers, refusing what Talos would refuse before reading anything. */
function answeringNode(node: VirtualTalosNode, call: Call): VirtualTalosNode {
  const route = routeOf(node, call.metadata)
  if (route.kind === 'many')
    throw new RpcError(rpcCode.INVALID_ARGUMENT, 'one-to-many proxying is not supported for resources')
  const target = route.kind === 'one' ? reach(node, route.target) : node
  if (target.mode !== 'configured')
    throw new RpcError(rpcCode.UNIMPLEMENTED, 'API is not implemented in maintenance mode')
  const caller = callerOf(node, call)
  if (!readers.some((role) => caller.roles.has(role)))
    throw new RpcError(rpcCode.PERMISSION_DENIED, 'not authorized')
  return target
}

function keyOf(request: Record<string, unknown>): ResourceKey {
  return {
    namespace: String(request.namespace ?? ''),
    type: String(request.type ?? ''),
    id: String(request.id ?? ''),
  }
}

const timestamp = (date: Date) => ({ seconds: Math.floor(date.getTime() / 1000), nanos: 0 })

/** cosi.resource.Resource for a stored one. */
function message(resource: StoredResource) {
  return {
    metadata: {
      namespace: resource.namespace,
      type: resource.type,
      id: resource.id,
      version: String(resource.version),
      owner: '',
      phase: 'running',
      created: timestamp(resource.created),
      updated: timestamp(resource.updated),
    },
    spec: { protoSpec: Buffer.from(resource.spec.proto), yamlSpec: resource.spec.yaml },
  }
}

function eventMessage(event: ResourceEvent) {
  return {
    eventType: event.type,
    resource: message(event.resource),
    ...('old' in event && event.old ? { old: message(event.old) } : {}),
  }
}

/** What COSI sends for a resource that does not exist: its key, no version, an empty spec. */
const tombstone = (key: ResourceKey) => ({
  eventType: 'DESTROYED',
  resource: { metadata: { ...key, version: 'undefined', phase: 'running' }, spec: {} },
})

const notFound = ({ namespace, type, id }: ResourceKey) =>
  new RpcError(rpcCode.NOT_FOUND, `resource ${type}(${namespace}/${id}@undefined) doesn't exist`)

export function resourceStateImplementation(node: VirtualTalosNode): UntypedServiceImplementation {
  return {
    Get(call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) {
      try {
        const key = keyOf(call.request)
        const resource = answeringNode(node, call).resources.get(key)
        if (!resource) throw notFound(key)
        callback(null, { resource: message(resource) })
      } catch (error) {
        callback(toRpcError(error))
      }
    },

    List(call: ServerWritableStream<Record<string, unknown>, unknown>) {
      try {
        const { namespace, type } = keyOf(call.request)
        for (const resource of answeringNode(node, call).resources.list(namespace, type))
          call.write({ resource: message(resource) })
        call.end()
      } catch (error) {
        call.emit('error', toRpcError(error))
      }
    },

    /**
     * One resource: an empty first answer, its current state as created (or, when it does not
     * exist, as destroyed, as COSI says so), then each change.
     */
    Watch(call: ServerWritableStream<Record<string, unknown>, unknown>) {
      try {
        const key = keyOf(call.request)
        if (!key.id)
          throw new RpcError(rpcCode.UNIMPLEMENTED, 'a virtual node watches single resources only, not kinds')
        const target = answeringNode(node, call)
        call.write({ event: [] })
        const current = target.resources.get(key)
        call.write({
          event: [current ? eventMessage({ type: 'CREATED', resource: current }) : tombstone(key)],
        })
        const unsubscribe = target.resources.watch(key, (event) =>
          call.write({ event: [eventMessage(event)] }),
        )
        call.on('cancelled', unsubscribe)
        call.on('close', unsubscribe)
      } catch (error) {
        call.emit('error', toRpcError(error))
      }
    },
  }
}
