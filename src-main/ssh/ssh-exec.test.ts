import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { commandLogLine, remoteCommand, shQuote } from './ssh-exec.ts'

describe('ssh exec commands', () => {
  it('quotes anything for sh, quotes included', () => {
    for (const value of ["it's", 'a "b" $HOME `x` \\ \n end', '']) {
      expect(execFileSync('sh', ['-c', `printf %s ${shQuote(value)}`], { encoding: 'utf8' })).toBe(value)
    }
  })

  it('bounds commands on the node, runs them without stdin, and wraps them in sudo behind the marker', () => {
    expect(remoteCommand('cat', 1500)).toBe(`timeout -s KILL 2 sh -c 'exec </dev/null; cat'`)
    expect(execFileSync('sh', ['-c', remoteCommand('cat; echo done', 5000)], { encoding: 'utf8' })).toBe(
      'done\n',
    )
    expect(() => execFileSync('sh', ['-c', remoteCommand('sleep 5', 100)], { stdio: 'ignore' })).toThrow()
    expect(remoteCommand("echo 'hi'", 60_000, '[m]')).toBe(
      `sudo -S -p '[m]' -- timeout -s KILL 60 sh -c 'exec </dev/null; echo '\\''hi'\\'''`,
    )
  })

  it('logs commands with registered secrets and credential shapes redacted', () => {
    expect(commandLogLine('pi', 'node1', 'k3s agent --token K10secret::x', true, ['K10secret::x'])).toBe(
      'pi@node1$ sudo k3s agent --token [redacted]',
    )
    expect(commandLogLine('root', '[10.0.0.2]:2222', 'chpasswd <<< root:x password=hunter2', false, [])).toBe(
      'root@[10.0.0.2]:2222$ chpasswd <<< root:x password=[redacted]',
    )
  })
})
