// The K3s day-2 commands as data: the version K3s reports, and what a destroy runs on a node —
// whichever uninstall script is there, the directories K3s leaves, and the NVMe only when asked
// (unmounted, its fstab line removed, its signatures wiped).
import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { k3sRemovalCommands, parseK3sVersion } from './k3s-day2.ts'

const node = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' }).nodes[1]!

describe('parseK3sVersion', () => {
  it('reads the release from k3s --version, null when K3s is absent', () => {
    expect(parseK3sVersion('k3s version v1.36.4+k3s1 (0a1b2c3d)\ngo version go1.24.6\n')).toBe('v1.36.4+k3s1')
    expect(parseK3sVersion('')).toBeNull()
  })
})

describe('k3sRemovalCommands', () => {
  it('runs the uninstall script present and removes the K3s directories, leaving the NVMe alone', () => {
    const commands = k3sRemovalCommands(node, []).map((c) => c.command)
    expect(commands).toEqual([
      'if [ -x /usr/local/bin/k3s-agent-uninstall.sh ]; then /usr/local/bin/k3s-agent-uninstall.sh; fi && if [ -x /usr/local/bin/k3s-uninstall.sh ]; then /usr/local/bin/k3s-uninstall.sh; fi',
      'rm -rf /etc/rancher /var/lib/rancher /var/lib/kubelet',
    ])
  })

  it('with the NVMe: unmounts it, drops its fstab line, then wipes it', () => {
    const nvme = node.nvme!
    const commands = k3sRemovalCommands(node, [nvme.device]).map((c) => c.command)
    expect(commands.slice(2)).toEqual([
      `if findmnt ${nvme.mountPoint} >/dev/null 2>&1; then umount ${nvme.mountPoint}; fi`,
      `awk '$2 != "${nvme.mountPoint}"' /etc/fstab > /etc/fstab.clusterdeck-new && mv -f /etc/fstab.clusterdeck-new /etc/fstab`,
      `wipefs -a ${nvme.device}`,
    ])
  })
})
