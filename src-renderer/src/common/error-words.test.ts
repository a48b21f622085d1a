import { describe, expect, it } from 'vitest'
import { inWords } from './error-words.ts'

describe('system error codes in words', () => {
  it('says what a bare code means, keeping the code for a search', () => {
    expect(inWords('Could not reach the BMC: ECONNRESET')).toBe(
      'Could not reach the BMC: the connection was cut by the other side (ECONNRESET)',
    )
    expect(inWords('fetch failed: connect ECONNREFUSED 127.0.0.1:9')).toBe(
      'fetch failed: the connection was refused: nothing is listening there at 127.0.0.1:9 (ECONNREFUSED)',
    )
    expect(inWords('getaddrinfo ENOTFOUND factory.talos.dev')).toBe(
      'the name does not resolve at factory.talos.dev (ENOTFOUND)',
    )
  })

  it('says a bracketed code in words inside the brackets', () => {
    expect(inWords('Could not reach the Image Factory to list the Talos versions (ECONNREFUSED).')).toBe(
      'Could not reach the Image Factory to list the Talos versions (ECONNREFUSED: the connection was refused: nothing is listening there).',
    )
  })

  it('leaves text without a known code as it is', () => {
    expect(inWords('The BMC answered 500 (EACCES).')).toBe('The BMC answered 500 (EACCES).')
    expect(inWords('No cluster profile "lab" is saved.')).toBe('No cluster profile "lab" is saved.')
  })
})
