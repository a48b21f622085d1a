import { describe, expect, it } from 'vitest'
import { parseVirtualSshLine, virtualSshLine } from './ssh-endpoint.ts'

describe('the virtual node’s SSH line', () => {
  it('reads back what the virtual node prints, amid the kernel log and the login prompt', () => {
    const line = virtualSshLine('127.0.0.12', 2222)
    expect(line).toBe('clusterdeck virtual node: SSH at 127.0.0.12 port 2222')
    const console = `[    1.2] systemd[1]: Started ssh.service\r\n${line}\r\n\r\nturing-w1 login: `
    expect(parseVirtualSshLine(console)).toEqual({ host: '127.0.0.12', port: 2222 })
  })

  it('takes the last line when the node booted twice (flashed again)', () => {
    const console = [virtualSshLine('127.0.0.11', 2222), 'reboot', virtualSshLine('127.0.0.12', 2222)].join('\n')
    expect(parseVirtualSshLine(console)).toEqual({ host: '127.0.0.12', port: 2222 })
  })

  it('finds nothing before the line, in a line quoted elsewhere, or with an impossible port', () => {
    expect(parseVirtualSshLine('U-Boot 2024.01\nStarting kernel ...\n')).toBeNull()
    expect(parseVirtualSshLine(`echo ${virtualSshLine('127.0.0.12', 2222)}`)).toBeNull()
    expect(parseVirtualSshLine('clusterdeck virtual node: SSH at 127.0.0.12 port 70000')).toBeNull()
  })
})
