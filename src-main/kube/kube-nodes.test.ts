import type { V1Node, V1NodeCondition } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { nodeReadiness } from './kube-nodes.ts'

const node = (conditions?: V1NodeCondition[]): V1Node => ({
  metadata: { name: 'cp-1' },
  status: { conditions },
})

describe('nodeReadiness', () => {
  it('is ready with no reason when the Ready condition is True', () => {
    const ready = node([
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ])
    expect(nodeReadiness(ready)).toEqual({ name: 'cp-1', ready: true, reason: '' })
  })

  it('carries the reason and message of a False or Unknown Ready condition', () => {
    expect(
      nodeReadiness(
        node([{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'CNI not ready' }]),
      ),
    ).toEqual({
      name: 'cp-1',
      ready: false,
      reason: 'KubeletNotReady: CNI not ready',
    })
    expect(nodeReadiness(node([{ type: 'Ready', status: 'Unknown' }])).reason).toBe('Ready is Unknown')
  })

  it('is not ready while the node has reported no Ready condition', () => {
    expect(nodeReadiness(node())).toEqual({
      name: 'cp-1',
      ready: false,
      reason: 'the node has not reported whether it is Ready yet',
    })
  })
})
