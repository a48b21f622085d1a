// Preparing an Armbian node for K3s and Longhorn (K3s reference §3): the host name, the packages,
// iscsid, the kernel modules and the multipathd blacklist, each an idempotent check/apply pair run
// as root, in this order — iscsi_tcp is loaded before iscsid is (re)started. The NVMe drive is
// nvme-disk.ts's.
import { AppError } from '../contract/app-error.ts'
import type { ProfileNode } from '../profiles/profile-schema.ts'
import { shellQuote, writeFileCommand, type NodeAction } from './remote-command.ts'

export const modulesLoadPath = '/etc/modules-load.d/clusterdeck-longhorn.conf'
export const longhornModules = ['iscsi_tcp', 'dm_crypt'] as const
/** Longhorn's iSCSI devices are /dev/sdX: multipathd must leave them alone (reference §3.2). */
export const multipathBlacklist = 'blacklist {\n    devnode "^sd[a-z0-9]+"\n}\n'

/** open-iscsi and nfs-common for Longhorn, curl for install.sh, parted for the NVMe drive. */
export function prepPackages(node: ProfileNode): string[] {
  return ['open-iscsi', 'nfs-common', 'curl', ...(node.nvme ? ['parted'] : [])]
}

// apt without questions: no debconf prompts, and changed config files kept as they are.
const apt =
  'DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold'

export function nodePrepActions(node: ProfileNode): NodeAction[] {
  // The profile schema allows only DNS labels; the name also goes into a sed replacement below.
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(node.hostname))
    throw new AppError(
      'invalid_input',
      `"${node.hostname}" is not a host name.`,
      'Use lower-case letters, digits and dashes.',
    )
  const name = shellQuote(node.hostname)
  const packages = prepPackages(node).map(shellQuote).join(' ')
  const modulesFile = `${longhornModules.join('\n')}\n`
  return [
    {
      id: 'hostname',
      title: `Host name ${node.hostname}`,
      // Debian resolves its own name through the 127.0.1.1 line; sudo complains without it.
      check: {
        command: `test "$(hostnamectl --static)" = ${name} && grep -qE "^127\\.0\\.1\\.1[[:space:]]+"${name}"([[:space:]]|\\$)" /etc/hosts`,
      },
      apply: [
        { command: `hostnamectl set-hostname ${name}` },
        {
          command: `if grep -q '^127\\.0\\.1\\.1[[:space:]]' /etc/hosts; then sed -i "s/^127\\.0\\.1\\.1[[:space:]].*/127.0.1.1\\t"${name}"/" /etc/hosts; else printf '127.0.1.1\\t%s\\n' ${name} >> /etc/hosts; fi`,
        },
      ],
    },
    {
      id: 'packages',
      title: `Packages ${prepPackages(node).join(', ')}`,
      check: {
        command: `for p in ${packages}; do dpkg-query -W -f='\${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || exit 1; done`,
      },
      apply: [{ command: `${apt} update && ${apt} install --no-install-recommends ${packages}` }],
    },
    {
      id: 'kernel-modules',
      title: `Kernel modules ${longhornModules.join(', ')} loaded now and at boot`,
      // /sys/module/<name> exists whether the module is loaded or built in.
      check: {
        command: `cmp -s ${modulesLoadPath} - && ${longhornModules.map((m) => `test -d /sys/module/${m}`).join(' && ')}`,
        stdin: modulesFile,
      },
      apply: [
        writeFileCommand(modulesLoadPath, modulesFile, { mode: 0o644 }),
        { command: longhornModules.map((m) => `modprobe ${m}`).join(' && ') },
      ],
    },
    {
      id: 'iscsid',
      title: 'iscsid enabled and running',
      check: { command: 'systemctl is-enabled --quiet iscsid && systemctl is-active --quiet iscsid' },
      apply: [{ command: 'systemctl enable --now iscsid' }],
    },
    {
      id: 'multipathd',
      title: 'multipathd leaves Longhorn’s devices alone',
      // Nothing to do where multipath-tools is not installed.
      check: {
        command: `! command -v multipathd >/dev/null 2>&1 || grep -qF 'devnode "^sd[a-z0-9]+"' /etc/multipath.conf 2>/dev/null`,
      },
      apply: [
        { command: 'cat >> /etc/multipath.conf', stdin: multipathBlacklist },
        { command: 'systemctl try-restart multipathd' },
      ],
    },
  ]
}
