import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { shQuote, sudoCommand } from './ssh-exec.ts'

describe('ssh exec commands', () => {
  it('quotes anything for sh, quotes included', () => {
    for (const value of ["it's", 'a "b" $HOME `x` \\ \n end', '']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shQuote(value)}`], { encoding: 'utf8' })).toBe(value)
    }
  })

  it('wraps a command in sudo reading the password from stdin behind the marker', () => {
    expect(sudoCommand("echo 'hi'", '[m]')).toBe(`sudo -S -p '[m]' -- sh -c 'echo '\\''hi'\\'''`)
  })
})
