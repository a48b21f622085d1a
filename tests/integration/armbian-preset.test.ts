// The first-boot preset as armbian-firstlogin reads it: sourced by the real bash. Whatever a
// password holds, sourcing gives it back exactly and runs nothing.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { firstBootPresetSchema, renderFirstBootPreset } from '../../src-shared/armbian/first-boot-preset.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const dir = makeTempDir()
afterAll(() => dir.remove())

/** Sources the text with bash and prints the variables back, NUL-separated. */
function sourced(text: string, names: string[]): Record<string, string> {
  const script = `set -eu\n${text}\nprintf '%s\\0' ${names.map((name) => `"$${name}"`).join(' ')}`
  const values = execFileSync('bash', ['-c', script], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
  })
    .toString()
    .split('\0')
  return Object.fromEntries(names.map((name, i) => [name, values[i]!]))
}

describe('first-boot preset sourced by bash', () => {
  it('gives back every value exactly, however hostile, and executes nothing', () => {
    const marker = join(dir.path, 'pwned')
    const rootPassword = `p"a$(touch ${marker})\`touch ${marker}\`\\ $HOME 'q' !x`
    const preset = firstBootPresetSchema.parse({
      hostname: 'rk1-node1',
      timezone: 'Europe/Berlin',
      rootPassword,
      sshPublicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9mY2x1c3RlcmRlY2t0ZXN0a2V5MDEyMzQ1Njc4OQ ops@laptop',
      user: { name: 'ops', password: 'second $ecret "pw"', realName: 'Ops "Team" $USER' },
      network: { address: '192.168.1.21/24', gateway: '192.168.1.1', dns: ['1.1.1.1', '9.9.9.9'] },
    })
    const { text } = renderFirstBootPreset(preset)
    expect(
      sourced(text, [
        'PRESET_ROOT_PASSWORD',
        'PRESET_USER_PASSWORD',
        'PRESET_DEFAULT_REALNAME',
        'PRESET_NET_STATIC_MASK',
        'PRESET_NET_STATIC_DNS',
        'PRESET_ROOT_KEY',
        'PRESET_TIMEZONE',
      ]),
    ).toEqual({
      PRESET_ROOT_PASSWORD: rootPassword,
      PRESET_USER_PASSWORD: 'second $ecret "pw"',
      PRESET_DEFAULT_REALNAME: 'Ops "Team" $USER',
      PRESET_NET_STATIC_MASK: '255.255.255.0',
      PRESET_NET_STATIC_DNS: '1.1.1.1 9.9.9.9',
      PRESET_ROOT_KEY: 'file:///root/.clusterdeck_authorized_keys',
      PRESET_TIMEZONE: 'Europe/Berlin',
    })
    expect(existsSync(marker)).toBe(false)
  })
})
