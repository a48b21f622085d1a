import { describe, expect, it } from 'vitest'
import { hostKeyChangedMessage, parseHostKeyChange } from './host-key-change.ts'

const before = `SHA256:${'a'.repeat(42)}Q`
const after = `SHA256:${'B+/9'.repeat(10)}xyz`

describe('host key change messages', () => {
  it('reads back what it wrote, also inside a longer step message', () => {
    const change = { label: '[127.0.0.11]:2222', expected: before, actual: after }
    const message = hostKeyChangedMessage(change)
    expect(message).toBe(
      `[127.0.0.11]:2222 answered SSH with a different host key than the one you trusted (trusted ${before}, now ${after}).`,
    )
    expect(parseHostKeyChange(message)).toEqual(change)
    expect(parseHostKeyChange(`turing-cp1: ${message} If you reinstalled it, trust the new key.`)).toEqual(
      change,
    )
  })

  it('finds nothing in other failures', () => {
    expect(parseHostKeyChange('10.0.0.5 refused every way Clusterdeck tried to log in as root.')).toBeNull()
    expect(
      parseHostKeyChange(
        'n answered SSH with a different host key than the one you trusted (trusted x, now y).',
      ),
    ).toBeNull()
  })
})
