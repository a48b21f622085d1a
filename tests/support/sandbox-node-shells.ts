// NodeShells (src-main/ssh/node-shell.ts) over sandboxed Armbian nodes (sandbox-node.ts), for the
// K3s step tests: each command is the step's real command run by a real sh in the node's sandbox.
// Logging in is decided by the node's own files, as sshd would: the cluster's key gets in once its
// public key is in /root/.ssh/authorized_keys, a password while it is root's (the image's 1234
// until chpasswd set another). A fresh node has Armbian's first-boot state, an NVMe drive whose
// lsblk view follows what parted, mkfs.ext4 and mount did, and an install.sh that installs a K3s
// stand-in (a server writes its token and admin kubeconfig).
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { NodeAction, RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import { publicKeyOf } from '../../src-main/ssh/cluster-key.ts'
import type { NodeShell, NodeShellOptions, NodeShells } from '../../src-main/ssh/node-shell.ts'
import { lsblkOutput } from './lsblk-output.ts'
import { sandboxNode, type SandboxNode } from './sandbox-node.ts'

export const nvmeDevice = '/dev/nvme0n1'
export const nvmeUuid = '3f1c2a9e-7d4b-4c1e-9a55-0f6e8d2b1c44'
export const k3sServerToken = `K10${'c4'.repeat(32)}::server:0123456789abcdef`

/** The admin kubeconfig the K3s stand-in writes, naming `server`. */
export function k3sAdminKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    '    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    `    server: ${server}`,
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'kind: Config',
    'preferences: {}',
    'users:',
    '- name: default',
    '  user:',
    '    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    '    client-key-data: c2FuZGJveC1jbGllbnQta2V5LWRhdGE=',
    '',
  ].join('\n')
}

const installScript = (kubeconfig: string) => `#!/bin/sh
echo "install.sh $INSTALL_K3S_EXEC $INSTALL_K3S_VERSION" >> "$ROOT/calls"
printf '#!/bin/sh\\necho "k3s version %s (5ee1a3c9)"\\necho "go version go1.25"\\n' "$INSTALL_K3S_VERSION" > "$ROOT/bin/k3s"
chmod +x "$ROOT/bin/k3s"
if [ "$INSTALL_K3S_EXEC" = agent ]; then touch "$ROOT/state/enabled/k3s-agent"; exit 0; fi
touch "$ROOT/state/enabled/k3s"
mkdir -p "$ROOT/var/lib/rancher/k3s/server"
echo '${k3sServerToken}' > "$ROOT/var/lib/rancher/k3s/server/token"
cat > "$ROOT/etc/rancher/k3s/k3s.yaml" <<'YAML'
${kubeconfig}YAML`

export interface ArmbianSandbox extends SandboxNode {
  /** Every command the node ran, in order. */
  readonly commands: string[]
}

/**
 * A freshly flashed Armbian node: the image's host name and password, the first-login preset, an
 * NVMe drive that is blank ("blank"), holds someone's data ("data") or our earlier file system.
 */
export function armbianSandbox(
  drive: 'blank' | 'data' | 'longhorn' = 'blank',
  kubeconfigServer = 'https://127.0.0.1:6443',
): ArmbianSandbox {
  const node = sandboxNode()
  node.write('etc/hostname', 'rk1\n')
  node.write('etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\trk1\n')
  node.write('etc/fstab', 'UUID=aaaa-bbbb / ext4 defaults,noatime 0 1\n')
  node.write('root/.not_logged_in_yet', 'PRESET_TIMEZONE="UTC"\n')
  node.write('state/timezone', 'Etc/UTC\n')
  node.write('state/nvme', `${drive}\n`)
  const mountPoint = '/var/lib/longhorn'
  node.write(`state/lsblk-blank.json`, lsblkOutput(nvmeDevice))
  node.write(
    `state/lsblk-data.json`,
    lsblkOutput(nvmeDevice, [{ fstype: 'ntfs', label: 'photos', uuid: 'ABCD1234' }]),
  )
  node.write(
    `state/lsblk-longhorn.json`,
    lsblkOutput(nvmeDevice, [{ fstype: 'ext4', label: 'longhorn', uuid: nvmeUuid }]),
  )
  node.write(
    `state/lsblk-longhorn-mounted.json`,
    lsblkOutput(nvmeDevice, [
      { fstype: 'ext4', label: 'longhorn', uuid: nvmeUuid, mountpoints: [mountPoint] },
    ]),
  )
  node.installTool(
    'lsblk',
    'm=; [ -e "$ROOT/state/nvme-mounted" ] && m=-mounted; cat "$ROOT/state/lsblk-$(cat "$ROOT/state/nvme")$m.json"',
  )
  node.write('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n')
  node.installTool(
    'useradd',
    'for last; do :; done; echo "useradd $*" >> "$ROOT/calls"; mkdir -p "$ROOT/home/$last"; echo "$last:x:1000:1000::$ROOT/home/$last:/bin/bash" >> "$ROOT/etc/passwd"',
  )
  node.installTool('getent', 'grep "^$2:" "$ROOT/etc/passwd"')
  node.installTool('id', 'for last; do :; done; grep -q "^$last:" "$ROOT/etc/passwd"')
  node.installTool('chown', 'exit 0')
  node.installTool('wipefs', 'echo "wipefs $*" >> "$ROOT/calls"; echo blank > "$ROOT/state/nvme"')
  node.installTool('parted', 'echo "parted $*" >> "$ROOT/calls"')
  node.installTool('udevadm', 'exit 0')
  node.installTool('mkfs.ext4', 'echo "mkfs.ext4 $*" >> "$ROOT/calls"; echo longhorn > "$ROOT/state/nvme"')
  node.installTool('mount', 'echo "mount $*" >> "$ROOT/calls"; touch "$ROOT/state/nvme-mounted"')
  node.installTool(
    'curl',
    `for last; do :; done
out=; prev=
for arg; do [ "$prev" = -o ] && out=$arg; prev=$arg; done
echo "curl $last" >> "$ROOT/calls"
cat > "$out" <<'SCRIPT'
${installScript(k3sAdminKubeconfig(kubeconfigServer))}
SCRIPT`,
  )
  const commands: string[] = []
  const exec = node.exec
  return {
    ...node,
    commands,
    exec(command: RemoteCommand) {
      commands.push(command.command)
      return exec(command)
    },
    run(command: RemoteCommand) {
      commands.push(command.command)
      return exec(command).exitCode
    },
  }
}

/** Root's password as the sandbox's chpasswd last set it, else the image's. */
function rootPassword(node: SandboxNode): string {
  const set = node
    .read('state/chpasswd')
    .split('\n')
    .filter((line) => line.startsWith('root:'))
    .at(-1)
  return set ? set.slice('root:'.length) : '1234'
}

export class SandboxShells implements NodeShells {
  /** The sandboxed nodes by "host:port". */
  readonly nodes = new Map<string, ArmbianSandbox>()
  /** Every login: where, as whom and how. */
  readonly logins: string[] = []
  /** Shells not closed yet. */
  open_ = 0
  /** Runs before each login; a test holds a node here (as a slow network would). */
  beforeOpen: (options: NodeShellOptions) => Promise<void> = async () => undefined

  add(host: string, port: number, node: ArmbianSandbox): ArmbianSandbox {
    this.nodes.set(`${host}:${port}`, node)
    return node
  }

  async open(options: NodeShellOptions): Promise<NodeShell> {
    await this.beforeOpen(options)
    const { host, port, hostname } = options.endpoint
    const node = this.nodes.get(`${host}:${port}`)
    if (!node) throw new AppError('ssh_unreachable', `Nothing answers SSH on ${host}:${port} (${hostname}).`)
    const user = options.user ?? 'root'
    const [type, data] = publicKeyOf(options.clusterKey, '').split(' ')
    const home = user === 'root' ? 'root' : `home/${user}`
    const keyIn = node
      .read(`${home}/.ssh/authorized_keys`)
      .split('\n')
      .some((line) => line.startsWith(`${type} ${data}`))
    const passwordIn =
      user === 'root' && options.password !== undefined && options.password === rootPassword(node)
    if (!keyIn && !passwordIn)
      throw new AppError('ssh_auth_failed', `${hostname} (${host}:${port}) refused root's key and password.`)
    this.logins.push(`${user}@${host}:${port} ${keyIn ? 'key' : 'password'}`)
    this.open_ += 1
    const label = `${user}@${hostname}`
    const run = async (command: RemoteCommand) => {
      if (options.signal.aborted) throw new AppError('cancelled', 'cancelled')
      options.log(`${label}$ ${command.command}`)
      const result = node.exec(command)
      options.log(`exit ${result.exitCode}`)
      return result
    }
    let closed = false
    return {
      run,
      async converge(action: NodeAction) {
        if ((await run(action.check)).exitCode === 0) return 'already'
        for (const command of action.apply) {
          const result = await run(command)
          if (result.exitCode !== 0)
            throw new AppError(
              'tool_failed',
              `${hostname}: "${action.title}" failed: ${result.stderr.trim().split('\n').slice(-2).join(' / ')}`,
            )
        }
        return 'done'
      },
      close: () => {
        if (!closed) this.open_ -= 1
        closed = true
      },
    }
  }
}
