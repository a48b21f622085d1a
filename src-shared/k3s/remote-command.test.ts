import { describe, expect, it } from 'vitest'
import { sameFileCheck, shellQuote, writeFileCommand } from './remote-command.ts'

// A real sh runs these in tests/integration/k3s-node-commands.test.ts, hostile values included.
describe('shellQuote', () => {
  it('leaves plain words readable in the step log and single-quotes the rest', () => {
    expect(shellQuote('/dev/nvme0n1')).toBe('/dev/nvme0n1')
    expect(shellQuote('v1.36.4+k3s1')).toBe('v1.36.4+k3s1')
    expect(shellQuote('a b')).toBe("'a b'")
    expect(shellQuote('')).toBe("''")
    expect(shellQuote("it's $(id)")).toBe("'it'\\''s $(id)'")
  })

  it('refuses NUL, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/)
  })
})

describe('writeFileCommand and sameFileCheck', () => {
  it('carry the content on stdin, marked secret when asked, never in the command', () => {
    const write = writeFileCommand('/etc/rancher/k3s/cluster-token', 'K10abc::server:$(id)\n', {
      mode: 0o600,
      secret: true,
    })
    expect(write.command).toBe(
      'mkdir -p /etc/rancher/k3s && (umask 077; cat > /etc/rancher/k3s/cluster-token.clusterdeck-new) && chmod 0600 /etc/rancher/k3s/cluster-token.clusterdeck-new && mv -f /etc/rancher/k3s/cluster-token.clusterdeck-new /etc/rancher/k3s/cluster-token',
    )
    expect(write.stdin).toBe('K10abc::server:$(id)\n')
    expect(write.secretStdin).toBe(true)
    expect(sameFileCheck('/etc/fstab', 'x')).toEqual({ command: 'cmp -s /etc/fstab -', stdin: 'x' })
  })
})
