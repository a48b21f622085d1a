import { describe, expect, it } from 'vitest'
import { firstLoginActions, loginUserActions } from './first-login.ts'

// A real sh runs these against a sandboxed node in tests/integration/k3s-node-commands.test.ts.
const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9mY2x1c3RlcmRlY2t0ZXN0a2V5MDEyMzQ1Njc4OQ clusterdeck@lab'
const preset = { timezone: 'Europe/Berlin', rootPassword: "p4ss'word $(reboot)" }

describe('firstLoginActions', () => {
  it('sets the password last, on stdin only, and removes the preset with it', () => {
    const actions = firstLoginActions(preset, [key])
    expect(actions.map((a) => a.id)).toEqual(['ssh-key-1', 'timezone', 'root-password'])
    const password = actions.at(-1)!
    expect(password.check.command).toBe('test ! -e /root/.not_logged_in_yet')
    expect(password.apply).toEqual([
      { command: 'chpasswd', stdin: "root:p4ss'word $(reboot)\n", secretStdin: true },
      { command: 'rm -f /root/.not_logged_in_yet' },
    ])
    const commands = actions.flatMap((a) => [a.check, ...a.apply]).map((c) => c.command)
    expect(commands.join('\n')).not.toContain('p4ss')
  })

  it('refuses what is not a public key, and a password that would end the chpasswd line', () => {
    expect(() => firstLoginActions(preset, ['-----BEGIN OPENSSH PRIVATE KEY-----'])).toThrow(
      /SSH key 1 is not/,
    )
    expect(() => firstLoginActions({ ...preset, rootPassword: 'a\nroot:x' }, [key])).toThrow(
      /control character/,
    )
  })
})

describe('loginUserActions', () => {
  it('makes the user with sudo, its password on stdin only, and the keys in its own home', () => {
    const actions = loginUserActions('admin', 'pa$$ word', [key])
    expect(actions.map((a) => a.id)).toEqual(['login-user', 'user-ssh-key-1'])
    expect(actions[0]!.check.command).toBe('id -u admin >/dev/null 2>&1')
    expect(actions[0]!.apply).toEqual([
      { command: 'useradd --create-home --shell /bin/bash --groups sudo admin' },
      { command: 'chpasswd', stdin: 'admin:pa$$ word\n', secretStdin: true },
    ])
    expect(actions[1]!.check.command).toBe(
      `grep -qxF '${key}' "$(getent passwd admin | cut -d: -f6)"/.ssh/authorized_keys`,
    )
    expect(
      actions
        .flatMap((a) => [a.check, ...a.apply])
        .map((c) => c.command)
        .join('\n'),
    ).not.toContain('pa$$')
  })

  it('refuses root, a name that is not a user name, and a bad key', () => {
    expect(() => loginUserActions('root', 'secret12', [key])).toThrow(/not a login user/)
    expect(() => loginUserActions('a b', 'secret12', [key])).toThrow(/not a login user/)
    expect(() => loginUserActions('admin', 'secret12', ['nope'])).toThrow(/SSH key 1 is not/)
  })
})
