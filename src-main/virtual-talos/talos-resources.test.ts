import { describe, expect, it } from 'vitest'
import { kubeletSpec } from './talos-resource-specs.ts'
import { ResourceState, resourceKeys, type ResourceEvent } from './talos-resources.ts'

const key = resourceKeys.kubeletSpec

describe('a virtual node’s resources', () => {
  it('bumps the version only when the spec changes, and tells the watchers of that resource in order', () => {
    const state = new ResourceState()
    const heard: string[] = []
    const describe = (event: ResourceEvent) =>
      `${event.type} ${event.resource.version} ${event.resource.spec.yaml.trim()}`
    state.watch(key, (event) => heard.push(describe(event)))
    state.watch(resourceKeys.kubeletService, (event) => heard.push(`other ${event.type}`))

    expect(state.put(key, kubeletSpec('kubelet:v1.34.1'))).toBe(1)
    expect(state.put(key, kubeletSpec('kubelet:v1.34.1'))).toBe(1)
    expect(state.put(key, kubeletSpec('kubelet:v1.35.0'))).toBe(2)
    expect(state.get(key)).toMatchObject({ ...key, version: 2 })
    expect(state.list(key.namespace, key.type).map((resource) => resource.id)).toEqual(['kubelet'])
    state.destroy(key)
    state.destroy(key)
    expect(state.get(key)).toBeUndefined()
    expect(heard).toEqual([
      'CREATED 1 image: kubelet:v1.34.1',
      'UPDATED 2 image: kubelet:v1.35.0',
      'DESTROYED 2 image: kubelet:v1.35.0',
    ])
  })

  it('stops telling a watcher that unsubscribed, and forgets everything when the node goes down', () => {
    const state = new ResourceState()
    const heard: string[] = []
    const stop = state.watch(key, (event) => heard.push(event.type))
    state.put(key, kubeletSpec('a:v1'))
    stop()
    state.put(key, kubeletSpec('a:v2'))
    state.clear()
    expect(heard).toEqual(['CREATED'])
    expect(state.list(key.namespace, key.type)).toEqual([])
    // A resource made anew after a reboot starts again at version 1.
    expect(state.put(key, kubeletSpec('a:v2'))).toBe(1)
  })
})
