// The services a running Talos node lists (talosctl services): the system services every node
// runs, trustd and etcd on control planes; etcd waits in Preparing until the cluster is
// bootstrapped, as on a real node.
import type { MachineType } from './machine-config.ts'

interface ServiceState {
  id: string
  state: string
  healthy: boolean | undefined
  message: string
}

export function serviceStates(type: MachineType, etcdRunning: boolean): ServiceState[] {
  const healthy = (id: string): ServiceState => ({
    id,
    state: 'Running',
    healthy: true,
    message: 'Health check successful',
  })
  const services = [
    healthy('apid'),
    healthy('containerd'),
    healthy('cri'),
    healthy('kubelet'),
    healthy('machined'),
  ]
  if (type === 'controlplane') {
    services.push(healthy('trustd'))
    services.push(
      etcdRunning
        ? healthy('etcd')
        : { id: 'etcd', state: 'Preparing', healthy: undefined, message: 'Running pre state' },
    )
  }
  return services.sort((a, b) => a.id.localeCompare(b.id))
}

/** machine.ServiceInfo messages for the states above. */
export function serviceList(type: MachineType, etcdRunning: boolean, now = new Date()) {
  const ts = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 }
  return serviceStates(type, etcdRunning).map((service) => ({
    id: service.id,
    state: service.state,
    events: { events: [{ msg: service.message, state: service.state, ts }] },
    health: {
      unknown: service.healthy === undefined,
      healthy: service.healthy === true,
      lastMessage: service.healthy ? service.message : '',
      lastChange: ts,
    },
  }))
}
