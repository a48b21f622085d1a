import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { reserveNodeAddress } from './node-addresses.ts'

describe('reserveNodeAddress', () => {
  it('hands out distinct loopback addresses from 127.0.0.11, skipping one whose Talos API port is taken', async () => {
    const first = await reserveNodeAddress()
    const host = Number(first.address.split('.')[3])
    expect(host).toBeGreaterThanOrEqual(11)
    // Something else listens on the Talos API port of the next address.
    const squatter = createServer()
    const next = `127.0.0.${host + 1}`
    const squatting = await new Promise<boolean>((resolve) => {
      squatter.once('error', () => resolve(false))
      squatter.listen(50000, next, () => resolve(true))
    })
    const second = await reserveNodeAddress()
    try {
      expect(second.address).not.toBe(first.address)
      if (squatting) expect(second.address).not.toBe(next)
    } finally {
      await Promise.all([first.release(), second.release()])
      await new Promise<void>((resolve) => (squatting ? squatter.close(() => resolve()) : resolve()))
    }
  })
})
