import { describe, expect, it } from 'vitest'
import { addBoardInputSchema, normalizeBmcAddress } from './board-schemas.ts'

describe('normalizeBmcAddress', () => {
  it.each([
    ['turingpi.local', 'https://turingpi.local'],
    ['TuringPi.Local', 'https://turingpi.local'],
    ['192.168.1.90', 'https://192.168.1.90'],
    ['  10.0.0.5  ', 'https://10.0.0.5'],
    ['https://10.0.0.5', 'https://10.0.0.5'],
    ['https://10.0.0.5:443', 'https://10.0.0.5'],
    ['10.0.0.5:8443', 'https://10.0.0.5:8443'],
    ['[fe80::1]', 'https://[fe80::1]'],
    ['https://[::1]:9443/', 'https://[::1]:9443'],
    ['bmc-1.lab.example', 'https://bmc-1.lab.example'],
  ])('accepts %s as %s', (text, expected) => {
    expect(normalizeBmcAddress(text)).toBe(expected)
  })

  it.each([
    '',
    'http://10.0.0.5',
    'ftp://host',
    '10.0.0.500',
    '10.1',
    'host name',
    'host/path',
    'https://host/api',
    'https://user:pw@host',
    'https://host?x=1',
    '-leading.dash',
    'under_score.local',
    '10.0.0.5:99999',
  ])('rejects %j', (text) => {
    expect(normalizeBmcAddress(text)).toBeNull()
  })
})

describe('addBoardInputSchema', () => {
  const valid = { name: 'rack-1', address: 'turingpi.local', user: 'root', password: 'turing' }

  it('normalises the address and trims the name', () => {
    expect(addBoardInputSchema.parse({ ...valid, name: '  rack-1 ' })).toEqual({
      ...valid,
      address: 'https://turingpi.local',
    })
  })

  it('names each bad field once, with what to do', () => {
    const result = addBoardInputSchema.safeParse({ name: '', address: 'nope nope', user: '', password: '' })
    expect(result.success).toBe(false)
    const messages = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    expect(messages).toEqual([
      'name: is empty: give the board a name',
      expect.stringMatching(/^address: "nope nope" is not a BMC address/),
      'user: is empty: the BMC user is usually root',
      'password: is empty',
    ])
  })

  it('refuses names that start with punctuation and users with colons', () => {
    expect(addBoardInputSchema.safeParse({ ...valid, name: '.hidden' }).success).toBe(false)
    expect(addBoardInputSchema.safeParse({ ...valid, user: 'ro:ot' }).success).toBe(false)
  })
})
