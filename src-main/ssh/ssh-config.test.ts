import { describe, expect, it } from 'vitest'
import { parseSshConfig, resolveSshHost } from './ssh-config.ts'

const config = `
# global
IdentityFile ~/.ssh/id_global

Host rk1-* !rk1-bad
  HostName %h.lab.example
  User   pi
  Port=2222
  IdentityFile "~/.ssh/rk1 key"

Host rk1-1
  User ignored-because-first-wins
  Port 22

Match host rk1-1
  User matched

Host *
  User fallback
  UnknownOption yes
`

describe('ssh config', () => {
  const blocks = parseSshConfig(config)

  it('takes the first value of each keyword over the matching Host blocks, IdentityFiles adding up', () => {
    expect(resolveSshHost(blocks, 'rk1-1', '/home/u')).toEqual({
      hostName: 'rk1-1.lab.example',
      user: 'pi',
      port: 2222,
      identityFiles: ['/home/u/.ssh/id_global', '/home/u/.ssh/rk1 key'],
    })
  })

  it('honours negated patterns, case-insensitive keywords, and skips Match blocks', () => {
    expect(resolveSshHost(blocks, 'rk1-bad', '/home/u')).toEqual({
      user: 'fallback',
      identityFiles: ['/home/u/.ssh/id_global'],
    })
    expect(
      resolveSshHost(
        parseSshConfig('HOST a\n  HOSTNAME 10.0.0.1\n  identityfile %d/k-%r\n  user r'),
        'a',
        '/h',
      ),
    ).toEqual({ hostName: '10.0.0.1', user: 'r', identityFiles: ['/h/k-r'] })
  })

  it('leaves a host no block names alone', () => {
    expect(resolveSshHost(parseSshConfig('Host other\n  User x'), '10.0.0.9')).toEqual({ identityFiles: [] })
    expect(resolveSshHost([], 'n')).toEqual({ identityFiles: [] })
  })
})
