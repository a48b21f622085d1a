// What a freshly flashed Armbian image holds, as the in-memory file system a virtual Armbian node
// runs its commands against (just-bash, docs/virtual-board.md): Debian trixie with Armbian's
// first-boot state — root's password 1234, /root/.not_logged_in_yet (the first-login wizard is
// still to come), sshd enabled, nothing installed for K3s or Longhorn. The file system lives as
// long as the image on the eMMC: kept across reboots, made anew by the next flash. Users and
// passwords are read from /etc/passwd, /etc/group, /etc/shadow and /etc/sudoers.d as on Debian.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { InMemoryFs } from 'just-bash'
import { presetPath } from '../../src-shared/armbian/first-boot-preset.ts'

export const imageHostname = 'rk1'
export const firstBootRootPassword = '1234'
export const osPrettyName = 'Armbian 25.8.1 trixie'
export const unitDir = '/etc/systemd/system'
export const packageUnitDir = '/usr/lib/systemd/system'
export const wantsDir = `${unitDir}/multi-user.target.wants`
export const dpkgStatusPath = '/var/lib/dpkg/status'

/** Packages of the image (a few of them; what the K3s steps ask about is what matters). */
const imagePackages = [
  'base-files',
  'bash',
  'coreutils',
  'curl',
  'iproute2',
  'openssh-server',
  'sudo',
  'systemd',
  'util-linux',
]

export async function seedArmbianFs(fs: InMemoryFs): Promise<void> {
  const files: Record<string, string> = {
    '/etc/hostname': `${imageHostname}\n`,
    '/etc/hosts': `127.0.0.1\tlocalhost\n127.0.1.1\t${imageHostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    '/etc/os-release': [
      `PRETTY_NAME="${osPrettyName}"`,
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="13"',
      'VERSION="13 (trixie)"',
      'VERSION_CODENAME=trixie',
      'ID=debian',
      'HOME_URL="https://www.armbian.com"',
      '',
    ].join('\n'),
    '/etc/armbian-release':
      'BOARD=turing-rk1\nBOARD_NAME="Turing RK1"\nVERSION=25.8.1\nDISTRIBUTION_CODENAME=trixie\n',
    '/etc/timezone': 'Etc/UTC\n',
    '/etc/fstab':
      'UUID=5b9f8a1e-3c1d-4e0a-9a57-0d2c6f1e7a10 / ext4 defaults,noatime,commit=120,errors=remount-ro 0 1\ntmpfs /tmp tmpfs defaults,nosuid 0 0\n',
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    '/etc/group': 'root:x:0:\nsudo:x:27:\n',
    '/etc/shadow': `root:${passwordHash(firstBootRootPassword)}:20300:0:99999:7:::\n`,
    [presetPath]: '',
    '/root/.bashrc': '',
    [dpkgStatusPath]: imagePackages.map((name) => dpkgStanza(name)).join('\n'),
    [`${packageUnitDir}/ssh.service`]: '[Unit]\nDescription=OpenBSD Secure Shell server\n',
    [`${wantsDir}/ssh.service`]: `${packageUnitDir}/ssh.service\n`,
  }
  for (const [path, content] of Object.entries(files)) {
    await fs.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true })
    await fs.writeFile(path, content)
  }
  await fs.chmod('/etc/shadow', 0o640)
  await fs.chmod('/root', 0o700)
  for (const dir of [
    '/tmp',
    '/var/tmp',
    '/usr/local/bin',
    '/var/lib/rancher',
    '/home',
    '/sys/module',
    '/mnt',
  ])
    await fs.mkdir(dir, { recursive: true })
}

export function dpkgStanza(name: string, version = '1.0'): string {
  return `Package: ${name}\nStatus: install ok installed\nArchitecture: arm64\nVersion: ${version}\n`
}

/** Salted SHA-256, so no password sits in the simulated /etc/shadow as it was typed. */
export function passwordHash(password: string, salt = randomBytes(8).toString('hex')): string {
  return `$cd$${salt}$${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`
}

export function passwordMatches(hash: string, password: string): boolean {
  const salt = /^\$cd\$([0-9a-f]+)\$/.exec(hash)?.[1]
  if (!salt) return false
  const expected = Buffer.from(passwordHash(password, salt))
  const actual = Buffer.from(hash)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

export interface SystemUser {
  name: string
  uid: number
  home: string
}

export async function readText(fs: InMemoryFs, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path)
  } catch {
    return undefined
  }
}

export async function systemUser(fs: InMemoryFs, name: string): Promise<SystemUser | undefined> {
  const passwd = (await readText(fs, '/etc/passwd')) ?? ''
  for (const line of passwd.split('\n')) {
    const [user, , uid, , , home] = line.split(':')
    if (user === name && uid !== undefined && home !== undefined) return { name, uid: Number(uid), home }
  }
  return undefined
}

export async function checkPassword(fs: InMemoryFs, user: string, password: string): Promise<boolean> {
  const shadow = (await readText(fs, '/etc/shadow')) ?? ''
  const hash = shadow
    .split('\n')
    .map((line) => line.split(':'))
    .find(([name]) => name === user)?.[1]
  return hash !== undefined && passwordMatches(hash, password)
}

/** chpasswd: replaces (or adds) the user's shadow entry. */
export async function setPassword(fs: InMemoryFs, user: string, password: string): Promise<void> {
  const shadow = (await readText(fs, '/etc/shadow')) ?? ''
  const lines = shadow.split('\n').filter(Boolean)
  const entry = `${user}:${passwordHash(password)}:20300:0:99999:7:::`
  const at = lines.findIndex((line) => line.startsWith(`${user}:`))
  if (at >= 0) lines[at] = entry
  else lines.push(entry)
  await fs.writeFile('/etc/shadow', `${lines.join('\n')}\n`)
}

/** Whether sudo lets the user in, and whether it then asks for the user's password. */
export async function sudoRule(fs: InMemoryFs, user: string): Promise<'none' | 'password' | 'nopasswd'> {
  if (user === 'root') return 'nopasswd'
  const rule = await readText(fs, `/etc/sudoers.d/${user}`)
  if (rule?.includes('NOPASSWD')) return 'nopasswd'
  const group = ((await readText(fs, '/etc/group')) ?? '').split('\n').find((l) => l.startsWith('sudo:'))
  const members = group?.split(':')[3]?.split(',') ?? []
  return members.includes(user) || rule !== undefined ? 'password' : 'none'
}

/** A login user as `adduser` and `usermod -aG sudo` would leave it (a test hook). */
export async function addUser(
  fs: InMemoryFs,
  name: string,
  options: { password: string; sudo: 'none' | 'password' | 'nopasswd' },
): Promise<void> {
  const passwd = (await readText(fs, '/etc/passwd')) ?? ''
  const uid = 1000 + passwd.split('\n').filter((l) => /:\d{4}:/.test(l)).length
  await fs.appendFile('/etc/passwd', `${name}:x:${uid}:${uid}:${name}:/home/${name}:/bin/bash\n`)
  await fs.appendFile('/etc/group', `${name}:x:${uid}:\n`)
  await fs.mkdir(`/home/${name}/.ssh`, { recursive: true })
  await setPassword(fs, name, options.password)
  if (options.sudo === 'none') return
  const group = (await readText(fs, '/etc/group')) ?? ''
  await fs.writeFile(
    '/etc/group',
    group.replace(
      /^sudo:x:27:(.*)$/m,
      (_, members: string) => `sudo:x:27:${members ? `${members},` : ''}${name}`,
    ),
  )
  if (options.sudo === 'nopasswd') {
    await fs.mkdir('/etc/sudoers.d', { recursive: true })
    await fs.writeFile(`/etc/sudoers.d/${name}`, `${name} ALL=(ALL) NOPASSWD:ALL\n`)
  }
}
