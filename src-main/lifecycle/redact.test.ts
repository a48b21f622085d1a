import { describe, expect, it } from 'vitest'
import { redact } from './redact.ts'

describe('redact', () => {
  it('removes registered secrets and credential shapes', () => {
    expect(redact('joined with K10abcdef::server:xyz', ['K10abcdef::server:xyz'])).toBe(
      'joined with [redacted]',
    )
    expect(redact('password=hunter2 user=root', [])).toBe('password=[redacted] user=root')
    expect(redact('token: "a b c"', [])).toBe('token: [redacted]')
    expect(redact('Authorization: Bearer abc.def', [])).toBe('Authorization: Bearer [redacted]')
    expect(redact('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----', [])).toBe(
      '-----BEGIN OPENSSH PRIVATE KEY-----[redacted]-----END OPENSSH PRIVATE KEY-----',
    )
  })

  it('leaves ordinary text alone, and ignores too-short secrets that would shred it', () => {
    expect(redact('Flashing node 2 (8 MiB)', ['a', 'ab'])).toBe('Flashing node 2 (8 MiB)')
  })
})
