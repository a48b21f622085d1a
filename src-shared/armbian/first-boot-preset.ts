// The Armbian first-login preset for a node: /root/.not_logged_in_yet in `KEY="value"` shell form,
// which armbian-firstlogin sources at the first root login (k3s-and-addons.md §5; the old
// /boot/armbian_first_run.txt is ignored by current images). Values are double-quoted with `\`,
// `"`, `$` and backtick escaped, so sourcing the file gives back exactly the text typed; control
// characters are refused (a newline would end the assignment).
//
// SSH keys: PRESET_ROOT_KEY / PRESET_USER_KEY are URLs that armbian-firstlogin fetches with curl
// (a failed fetch aborts the first login). A key given as text is therefore written to a second
// file, /root/.clusterdeck_authorized_keys, and the preset points at it with a file:// URL, which
// curl reads without any network. A URL (e.g. https://github.com/USER.keys) is used as it is.
// Armbian has no hostname preset: the hostname is recorded in a comment and set over SSH after the
// first boot.
import { z } from 'zod'

export const presetPath = '/root/.not_logged_in_yet'
export const presetKeyPath = '/root/.clusterdeck_authorized_keys'

const noControl = (value: string) =>
  ![...value].some((character) => character < ' ' || character === '\u007f')
const controlMessage = 'must be one line without control characters'

const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, {
  message: 'must be an IPv4 address like 192.168.1.10',
})

export const timezoneSchema = z.string().regex(/^(UTC|[A-Za-z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+){1,2})$/, {
  message: 'must be an IANA time zone such as Europe/Berlin or Etc/UTC',
})

export const sshKeyPattern =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) AAAA[0-9A-Za-z+/]+={0,3}( [^\r\n]*)?$/

const password = (what: string) =>
  z
    .string()
    .min(8, {
      message: `must have at least 8 characters (armbian-firstlogin rejects weak ${what} passwords)`,
    })
    .max(128)
    .refine(noControl, { message: controlMessage })
    .refine((value) => value !== '1234', { message: 'must not be the image default 1234' })

export const firstBootPresetSchema = z
  .object({
    hostname: z
      .string()
      .transform((value) => value.trim().toLowerCase())
      .pipe(
        z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
          message:
            'must be one DNS label: letters, digits and hyphens, at most 63, not starting or ending with a hyphen',
        }),
      ),
    timezone: timezoneSchema,
    locale: z
      .string()
      .regex(/^[a-z]{2,3}_[A-Z]{2}\.UTF-8$/, { message: 'must be a UTF-8 locale such as en_US.UTF-8' })
      .default('en_US.UTF-8'),
    rootPassword: password('root'),
    /** An OpenSSH public key (one line of a .pub file) to log in as root, and as the user. */
    sshPublicKey: z
      .string()
      .transform((value) => value.trim())
      .refine((value) => !value.includes('PRIVATE KEY'), {
        message:
          'is a private key: paste the public key (the .pub file) instead, and keep the private key secret',
      })
      .refine((value) => sshKeyPattern.test(value), {
        message: 'must be one OpenSSH public key line, e.g. "ssh-ed25519 AAAA… you@host"',
      })
      .optional(),
    /** Or a URL that serves authorized keys, fetched by the node at first login. */
    sshKeyUrl: z
      .string()
      .url({ message: 'must be a URL' })
      .refine((value) => /^https?:\/\//.test(value), { message: 'must be an http:// or https:// URL' })
      .refine(noControl, { message: controlMessage })
      .optional(),
    user: z
      .object({
        name: z
          .string()
          .regex(/^[a-z][a-z0-9_-]{0,31}$/, {
            message: 'must start with a lower-case letter and use only a-z, 0-9, _ and - (at most 32)',
          })
          .refine((value) => value !== 'root', { message: 'must not be root' }),
        password: password('user'),
        realName: z.string().max(100).refine(noControl, { message: controlMessage }).optional(),
        shell: z.enum(['bash', 'zsh']).default('bash'),
      })
      .optional(),
    /** A static address on Ethernet; without it the node keeps DHCP. */
    network: z
      .object({
        address: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, {
          message: 'must be an IPv4 address with prefix length, e.g. 192.168.1.21/24',
        }),
        gateway: ipv4,
        dns: z.array(ipv4).min(1, { message: 'needs at least one DNS server' }).max(3),
      })
      .optional(),
  })
  .superRefine((preset, context) => {
    if (preset.sshPublicKey && preset.sshKeyUrl) {
      context.addIssue({
        code: 'custom',
        path: ['sshKeyUrl'],
        message: 'give either a public key or a key URL, not both',
      })
    }
    const network = preset.network
    if (network) {
      const [address, prefix] = network.address.split('/') as [string, string]
      if (!ipv4.safeParse(address).success) {
        context.addIssue({
          code: 'custom',
          path: ['network', 'address'],
          message: 'has an invalid IPv4 address',
        })
      } else if (
        ipv4.safeParse(network.gateway).success &&
        !sameSubnet(address, network.gateway, Number(prefix))
      ) {
        context.addIssue({
          code: 'custom',
          path: ['network', 'gateway'],
          message: `is not in the subnet of ${network.address}`,
        })
      }
    }
  })

export type FirstBootPresetInput = z.input<typeof firstBootPresetSchema>
export type FirstBootPreset = z.output<typeof firstBootPresetSchema>

export interface PresetFile {
  path: string
  content: string
  mode: number
}

export interface RenderedPreset {
  /** The preset itself: /root/.not_logged_in_yet. */
  text: string
  /** Every file to place on the node's root file system, the preset first. */
  files: PresetFile[]
  notes: string[]
}

/** `"value"` for a sourced shell file: only \, ", $ and ` are special inside double quotes. */
export function shellQuote(value: string): string {
  if (!noControl(value)) throw new Error('a preset value must not contain control characters')
  return `"${value.replace(/[\\"$`]/g, (character) => `\\${character}`)}"`
}

export function renderFirstBootPreset(preset: FirstBootPreset): RenderedPreset {
  const lines: string[] = [
    `# Armbian first-login preset for ${preset.hostname}, written by Clusterdeck.`,
    '# Read by armbian-firstlogin at the first root login, then deleted. It holds passwords in',
    '# plain text: never keep a copy.',
    `# hostname: ${preset.hostname} (Armbian has no preset for it; Clusterdeck sets it over SSH)`,
  ]
  const set = (key: string, value: string) => lines.push(`${key}=${shellQuote(value)}`)
  const notes: string[] = [
    `Armbian has no hostname preset: Clusterdeck sets the hostname ${preset.hostname} over SSH after the first boot.`,
  ]

  lines.push('', '# Locale and time zone')
  set('SET_LANG_BASED_ON_LOCATION', 'n')
  set('PRESET_LOCALE', preset.locale)
  set('PRESET_TIMEZONE', preset.timezone)

  lines.push('', '# Network')
  if (preset.network) {
    const [address, prefix] = preset.network.address.split('/') as [string, string]
    set('PRESET_NET_CHANGE_DEFAULTS', '1')
    set('PRESET_NET_ETHERNET_ENABLED', '1')
    set('PRESET_NET_WIFI_ENABLED', '0')
    set('PRESET_NET_USE_STATIC', '1')
    set('PRESET_NET_STATIC_IP', address)
    set('PRESET_NET_STATIC_MASK', prefixToMask(Number(prefix)))
    set('PRESET_NET_STATIC_GATEWAY', preset.network.gateway)
    set('PRESET_NET_STATIC_DNS', preset.network.dns.join(' '))
  } else {
    set('PRESET_NET_CHANGE_DEFAULTS', '0')
  }

  const keyUrl = preset.sshPublicKey ? `file://${presetKeyPath}` : (preset.sshKeyUrl ?? null)
  lines.push('', '# root')
  set('PRESET_ROOT_PASSWORD', preset.rootPassword)
  if (keyUrl) set('PRESET_ROOT_KEY', keyUrl)

  if (preset.user) {
    lines.push('', '# User')
    set('PRESET_USER_NAME', preset.user.name)
    set('PRESET_USER_PASSWORD', preset.user.password)
    if (keyUrl) set('PRESET_USER_KEY', keyUrl)
    set('PRESET_DEFAULT_REALNAME', preset.user.realName ?? preset.user.name)
    set('PRESET_USER_SHELL', preset.user.shell)
  } else {
    notes.push(
      'No user is preset: the first interactive login still asks for one (SSH commands without a terminal do not).',
    )
  }
  const text = `${lines.join('\n')}\n`

  const files: PresetFile[] = [{ path: presetPath, content: text, mode: 0o600 }]
  if (preset.sshPublicKey) {
    files.push({ path: presetKeyPath, content: `${preset.sshPublicKey}\n`, mode: 0o600 })
    notes.push(
      `The public key is a second file, ${presetKeyPath}; the preset points at it with a file:// URL, so no network is needed at first login.`,
    )
  } else if (preset.sshKeyUrl) {
    notes.push(
      'The node fetches the key URL at first login: it must be reachable from the node then, or the first login stops.',
    )
  } else {
    notes.push('No SSH key is preset: logging in needs the root password.')
  }
  return { text, files, notes }
}

function prefixToMask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.')
}

function toNumber(address: string): number {
  return address.split('.').reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0)
}

function sameSubnet(a: string, b: string, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  return (toNumber(a) & mask) >>> 0 === (toNumber(b) & mask) >>> 0
}
