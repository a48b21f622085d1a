import { describe, expect, it } from 'vitest'
import { describeIssues } from '../contract/app-error.ts'
import {
  firstBootPresetSchema,
  renderFirstBootPreset,
  shellQuote,
  type FirstBootPresetInput,
} from './first-boot-preset.ts'

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9mY2x1c3RlcmRlY2t0ZXN0a2V5MDEyMzQ1Njc4OQ ops@laptop'
const base: FirstBootPresetInput = {
  hostname: 'rk1-node1',
  timezone: 'Europe/Berlin',
  rootPassword: 'correct horse battery',
  sshPublicKey: key,
}

function render(input: FirstBootPresetInput) {
  return renderFirstBootPreset(firstBootPresetSchema.parse(input))
}

function problems(input: FirstBootPresetInput): string {
  const result = firstBootPresetSchema.safeParse(input)
  return result.success ? '' : describeIssues(result.error)
}

describe('shellQuote', () => {
  it('escapes exactly the characters special inside double quotes', () => {
    expect(shellQuote('plain')).toBe('"plain"')
    expect(shellQuote('a"b\\c$d`e')).toBe('"a\\"b\\\\c\\$d\\`e"')
    expect(shellQuote("it's !fine *")).toBe('"it\'s !fine *"')
  })

  it('refuses control characters', () => {
    expect(() => shellQuote('two\nlines')).toThrow(/control characters/)
  })
})

describe('first-boot preset', () => {
  it('writes the PRESET_ keys for root, locale, DHCP and a key file', () => {
    const { text, files } = render(base)
    expect(text).toContain('PRESET_ROOT_PASSWORD="correct horse battery"')
    expect(text).toContain('PRESET_TIMEZONE="Europe/Berlin"')
    expect(text).toContain('PRESET_LOCALE="en_US.UTF-8"')
    expect(text).toContain('PRESET_NET_CHANGE_DEFAULTS="0"')
    expect(text).toContain('PRESET_ROOT_KEY="file:///root/.clusterdeck_authorized_keys"')
    expect(text).not.toContain('PRESET_USER_NAME')
    expect(text).not.toMatch(/armbian_first_run|FR_net/)
    expect(files).toEqual([
      { path: '/root/.not_logged_in_yet', content: text, mode: 0o600 },
      { path: '/root/.clusterdeck_authorized_keys', content: `${key}\n`, mode: 0o600 },
    ])
  })

  it('writes a static network and a user', () => {
    const { text } = render({
      ...base,
      user: { name: 'ops', password: 'second $ecret "pw"' },
      network: { address: '192.168.1.21/24', gateway: '192.168.1.1', dns: ['1.1.1.1', '9.9.9.9'] },
    })
    expect(text).toContain('PRESET_NET_USE_STATIC="1"')
    expect(text).toContain('PRESET_NET_STATIC_IP="192.168.1.21"')
    expect(text).toContain('PRESET_NET_STATIC_MASK="255.255.255.0"')
    expect(text).toContain('PRESET_NET_STATIC_DNS="1.1.1.1 9.9.9.9"')
    expect(text).toContain('PRESET_USER_PASSWORD="second \\$ecret \\"pw\\""')
    expect(text).toContain('PRESET_USER_KEY="file:///root/.clusterdeck_authorized_keys"')
    expect(text).toContain('PRESET_DEFAULT_REALNAME="ops"')
  })

  it('uses a key URL as given and notes that the node must reach it', () => {
    const { text, files, notes } = render({
      ...base,
      sshPublicKey: undefined,
      sshKeyUrl: 'https://github.com/ops.keys',
    })
    expect(text).toContain('PRESET_ROOT_KEY="https://github.com/ops.keys"')
    expect(files).toHaveLength(1)
    expect(notes.join(' ')).toMatch(/reachable from the node/)
  })

  it('explains each invalid field', () => {
    expect(problems({ ...base, hostname: '-bad_name' })).toMatch(/^hostname: must be one DNS label/)
    expect(problems({ ...base, timezone: 'Berlin time' })).toMatch(/^timezone: must be an IANA time zone/)
    expect(problems({ ...base, rootPassword: '1234' })).toMatch(
      /rootPassword: must have at least 8 characters/,
    )
    expect(problems({ ...base, rootPassword: 'line one\nline two' })).toMatch(
      /rootPassword: must be one line/,
    )
    expect(problems({ ...base, sshPublicKey: '-----BEGIN OPENSSH PRIVATE KEY-----' })).toMatch(
      /sshPublicKey: is a private key/,
    )
    expect(problems({ ...base, sshPublicKey: 'ssh-ed25519 notbase64' })).toMatch(
      /sshPublicKey: must be one OpenSSH public key line/,
    )
    expect(problems({ ...base, sshKeyUrl: 'https://github.com/ops.keys' })).toMatch(
      /sshKeyUrl: give either a public key or a key URL/,
    )
    expect(problems({ ...base, user: { name: 'root', password: 'long enough pw' } })).toMatch(
      /user.name: must not be root/,
    )
    expect(
      problems({ ...base, network: { address: '192.168.1.21/24', gateway: '10.0.0.1', dns: ['1.1.1.1'] } }),
    ).toMatch(/network.gateway: is not in the subnet of 192.168.1.21\/24/)
    expect(
      problems({ ...base, network: { address: '192.168.1.21', gateway: '192.168.1.1', dns: [] } }),
    ).toMatch(
      /network.address: must be an IPv4 address with prefix length.*network.dns: needs at least one DNS server/,
    )
  })

  it('normalises the hostname to lower case', () => {
    expect(render({ ...base, hostname: 'RK1-Node2' }).text).toContain('# hostname: rk1-node2')
  })
})
