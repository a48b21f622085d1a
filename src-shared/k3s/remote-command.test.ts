import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sameFileCheck, shellQuote, writeFileCommand, type RemoteCommand } from './remote-command.ts'

/** Runs a command as the SSH layer will, through a real POSIX sh; returns stdout and exit status. */
function sh({ command, stdin }: RemoteCommand): { out: string; status: number } {
  try {
    const out = execFileSync('sh', ['-c', command], { input: stdin ?? '', encoding: 'utf8' })
    return { out, status: 0 }
  } catch (error) {
    return { out: '', status: (error as { status: number }).status }
  }
}

const hostile = [
  '',
  'plain',
  "it's",
  "''",
  '$(touch /tmp/pwned)',
  '`id`',
  '"; rm -rf / #',
  'a\nb\r\nc',
  '\\',
  '-n',
  '*',
  '~root',
  '!event',
  'tab\there',
  '${HOME}',
  "'$(id)'",
  'ünïcødé ✓',
]

describe('shellQuote', () => {
  it.each(hostile)('passes %j to a real sh as exactly one unchanged word', (value) => {
    const { out } = sh({ command: `printf '%s|' ${shellQuote(value)}` })
    expect(out).toBe(`${value}|`)
  })

  it('leaves plain words readable in the step log', () => {
    expect(shellQuote('/dev/nvme0n1')).toBe('/dev/nvme0n1')
    expect(shellQuote('v1.36.4+k3s1')).toBe('v1.36.4+k3s1')
    expect(shellQuote('a b')).toBe("'a b'")
  })

  it('refuses NUL, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/)
  })
})

describe('writeFileCommand and sameFileCheck', () => {
  it('writes stdin with the mode, and the check then finds the same content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3s-remote-'))
    const path = join(dir, "sub dir/it's.conf")
    const content = 'token: $(id)\nline two\n'
    expect(sh(sameFileCheck(path, content)).status).not.toBe(0)
    const write = writeFileCommand(path, content, { mode: 0o600, secret: true })
    expect(write.command).not.toContain('$(id)')
    expect(write.secretStdin).toBe(true)
    expect(sh(write).status).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe(content)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(sh(sameFileCheck(path, content)).status).toBe(0)
    expect(sh(sameFileCheck(path, `${content}x`)).status).not.toBe(0)
  })
})
