import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { commandLogLine, remoteCommand } from './ssh-exec.ts'

describe('ssh exec commands', () => {
  it('bounds commands on the node, runs them without stdin, and wraps them in sudo behind the marker', () => {
    expect(remoteCommand('cat', 1500)).toBe(`timeout -s KILL 2 sh -c 'exec </dev/null; cat'`)
    expect(execFileSync('sh', ['-c', remoteCommand('cat; echo done', 5000)], { encoding: 'utf8' })).toBe(
      'done\n',
    )
    expect(() => execFileSync('sh', ['-c', remoteCommand('sleep 5', 100)], { stdio: 'ignore' })).toThrow()
    expect(remoteCommand("echo 'hi'", 60_000, { sudoMarker: '[m]' })).toBe(
      `sudo -S -p '[m]' -- timeout -s KILL 60 sh -c 'exec </dev/null; echo '\\''hi'\\'''`,
    )
  })

  it('lets a command given stdin read it, announcing itself on stderr first when sudo shares the channel', () => {
    expect(
      execFileSync('sh', ['-c', remoteCommand('tr a-z A-Z', 5000, { withStdin: true })], {
        input: 'on stdin',
        encoding: 'utf8',
      }),
    ).toBe('ON STDIN')
    const wrapped = remoteCommand('cat', 5000, { sudoMarker: '[m]', stdinMarker: '[go]', withStdin: true })
    expect(wrapped).toBe(`sudo -S -p '[m]' -- timeout -s KILL 5 sh -c 'printf %s '\\''[go]'\\'' >&2; cat'`)
    const unwrapped = remoteCommand('cat', 5000, { stdinMarker: '[go]', withStdin: true })
    const run = execFileSync('sh', ['-c', `${unwrapped} 2>&1`], { input: 'data', encoding: 'utf8' })
    expect(run).toBe('[go]data')
  })

  it('logs commands with registered secrets and credential shapes redacted, and stdin only by its size', () => {
    expect(commandLogLine('pi', 'node1', 'k3s agent --token K10secret::x', true, ['K10secret::x'])).toBe(
      'pi@node1$ sudo k3s agent --token [redacted]',
    )
    expect(commandLogLine('root', '[10.0.0.2]:2222', 'chpasswd <<< root:x password=hunter2', false, [])).toBe(
      'root@[10.0.0.2]:2222$ chpasswd <<< root:x password=[redacted]',
    )
    expect(commandLogLine('root', 'n', 'cat > f', false, [], { bytes: 12, secret: false })).toBe(
      'root@n$ cat > f (stdin: 12 bytes)',
    )
    expect(commandLogLine('root', 'n', 'chpasswd', false, [], { bytes: 12, secret: true })).toBe(
      'root@n$ chpasswd (secret stdin)',
    )
  })
})
