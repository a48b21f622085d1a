// The first SSH login to a freshly flashed Armbian node (docs/k3s-bootstrap.md): as root with the
// image's password, over an exec channel without a terminal, which does not start Armbian's
// first-login wizard. It does what the wizard would have done with the preset — SSH keys, time
// zone, the root password — and then removes the preset so the wizard never starts. The password
// is set last: once it has changed, the image's password no longer gets in, and by then the keys
// do. Its check is the preset's absence, so a node a person already logged into at the console
// (the wizard removed the file) keeps the password that person chose.
import { presetPath, sshKeyPattern, type FirstBootPreset } from '../armbian/first-boot-preset.ts'
import { AppError } from '../contract/app-error.ts'
import { shellQuote, type NodeAction, type RemoteCommand } from './remote-command.ts'

/** The root password every freshly flashed Armbian image has (K3s reference §5). */
export const armbianFirstBootPassword = '1234'

export const rootAuthorizedKeys = '/root/.ssh/authorized_keys'

/** Exits 0 once the first login is over: the preset (the wizard's marker) is gone. */
export const firstLoginDoneCheck: RemoteCommand = { command: `test ! -e ${presetPath}` }

/**
 * `authorizedKeys`: the cluster's own key (the app logs in with it) and any of the user's. Without
 * `rootPassword` (the first login is over, `firstLoginDoneCheck`), the password is left alone.
 */
export function firstLoginActions(
  preset: Pick<FirstBootPreset, 'timezone'> & { rootPassword?: string | undefined },
  authorizedKeys: string[],
): NodeAction[] {
  const keys = publicKeyLines(authorizedKeys)
  const password = preset.rootPassword
  if (password !== undefined) printablePassword(password, 'The root password')
  const timezone = shellQuote(preset.timezone)
  return [
    ...keys.map((key, i) => ({
      id: `ssh-key-${i + 1}`,
      title: `SSH key ${key.split(' ')[2] ?? key.split(' ')[0]} for root`,
      check: { command: `grep -qxF ${shellQuote(key)} ${rootAuthorizedKeys}` },
      apply: [
        {
          command: `mkdir -p /root/.ssh && chmod 700 /root/.ssh && printf '%s\\n' ${shellQuote(key)} >> ${rootAuthorizedKeys} && chmod 600 ${rootAuthorizedKeys}`,
        },
      ],
    })),
    {
      id: 'timezone',
      title: `Time zone ${preset.timezone}`,
      check: { command: `test "$(timedatectl show -p Timezone --value)" = ${timezone}` },
      apply: [{ command: `timedatectl set-timezone ${timezone}` }],
    },
    ...(password === undefined
      ? []
      : [
          {
            id: 'root-password',
            title: 'Root password, and no first-login wizard',
            check: firstLoginDoneCheck,
            apply: [
              { command: 'chpasswd', stdin: `root:${password}\n`, secretStdin: true },
              { command: `rm -f ${presetPath}` },
            ],
          },
        ]),
  ]
}

/**
 * A login user other than root (profile `nodeAccess.user`), made by the first login: a home, the
 * `sudo` group, `password` — which sudo asks for, and the SSH layer answers from the keychain —
 * and the same keys as root. A user that exists already keeps its password.
 */
export function loginUserActions(user: string, password: string, authorizedKeys: string[]): NodeAction[] {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user) || user === 'root')
    throw new AppError(
      'invalid_input',
      `"${user}" is not a login user to make.`,
      'Use a Linux user name such as admin.',
    )
  printablePassword(password, `The password of ${user}`)
  const name = shellQuote(user)
  const home = `"$(getent passwd ${name} | cut -d: -f6)"`
  return [
    {
      id: 'login-user',
      title: `Login user ${user}, allowed to sudo`,
      check: { command: `id -u ${name} >/dev/null 2>&1` },
      apply: [
        { command: `useradd --create-home --shell /bin/bash --groups sudo ${name}` },
        { command: 'chpasswd', stdin: `${user}:${password}\n`, secretStdin: true },
      ],
    },
    ...publicKeyLines(authorizedKeys).map((line, i) => {
      const key = shellQuote(line)
      return {
        id: `user-ssh-key-${i + 1}`,
        title: `SSH key ${line.split(' ')[2] ?? line.split(' ')[0]} for ${user}`,
        check: { command: `grep -qxF ${key} ${home}/.ssh/authorized_keys` },
        apply: [
          {
            command: `h=${home} && mkdir -p "$h/.ssh" && printf '%s\\n' ${key} >> "$h/.ssh/authorized_keys" && chown -R ${name}: "$h/.ssh" && chmod 700 "$h/.ssh" && chmod 600 "$h/.ssh/authorized_keys"`,
          },
        ],
      }
    }),
  ]
}

/** The keys as authorized_keys lines, each checked to be one OpenSSH public key. */
function publicKeyLines(authorizedKeys: string[]): string[] {
  const keys = authorizedKeys.map((key) => key.trim())
  const bad = keys.findIndex((key) => !sshKeyPattern.test(key))
  if (bad >= 0)
    throw new AppError(
      'invalid_input',
      `SSH key ${bad + 1} is not one OpenSSH public key line.`,
      'Use the line of a .pub file, e.g. "ssh-ed25519 AAAA… you@host".',
    )
  return keys
}

/** A control character (a newline above all) would end the chpasswd line and start another. */
function printablePassword(password: string, what: string): void {
  if ([...password].some((c) => c < ' ' || c === '\u007f'))
    throw new AppError(
      'invalid_input',
      `${what} contains a control character.`,
      'Choose a password of printable characters.',
    )
}
