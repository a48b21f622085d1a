// The Talos machine API definitions, loaded at run time from resources/virtual-talos/ (found like
// the virtual board's boot logs: CLUSTERDECK_RESOURCES, else relative to this file).
import { loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the protocol definitions the virtual nodes speak live (resources/virtual-talos/). */
export function protoDir(): string {
  const root = process.env.CLUSTERDECK_RESOURCES
  return root
    ? join(root, 'virtual-talos')
    : fileURLToPath(new URL('../../resources/virtual-talos/', import.meta.url))
}

let service: ServiceDefinition | undefined
let stateService: ServiceDefinition | undefined

/** machine.MachineService, with request enums as their names and bytes as Buffers. */
export function machineService(): ServiceDefinition {
  if (!service) {
    const definition = loadSync('machine.proto', {
      includeDirs: [protoDir()],
      enums: String,
      defaults: true,
      longs: Number,
    })
    const loaded = loadPackageDefinition(definition) as unknown as {
      machine: { MachineService: { service: ServiceDefinition } }
    }
    service = loaded.machine.MachineService.service
  }
  return service
}

/** cosi.resource.State (the resource state API apid serves), enums as their names. */
export function resourceStateService(): ServiceDefinition {
  if (!stateService) {
    const definition = loadSync('cosi-state.proto', {
      includeDirs: [protoDir()],
      enums: String,
      defaults: true,
      longs: Number,
    })
    const loaded = loadPackageDefinition(definition) as unknown as {
      cosi: { resource: { State: { service: ServiceDefinition } } }
    }
    stateService = loaded.cosi.resource.State.service
  }
  return stateService
}
